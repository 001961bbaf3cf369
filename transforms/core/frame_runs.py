"""Every frame's time, kept compactly: runs of evenly spaced frames. Pure.

A phone records at a variable frame rate (30 fps, 15 or 10 in the dark, stalls when it is
busy), so the time of frame n is not n / fps. The probe reads every frame's timestamp from the
packets and keeps them as runs `(first, step, count)`: one run for a constant-rate video, a
few for a phone's stretches. Where a clip cut by decoding starts (the first frame at or after
its start) and how long it is come from these, never from a frame rate.
"""
from __future__ import annotations

import bisect
import math
from typing import Iterable, Sequence

Run = tuple[float, float, int]  # first frame's time, seconds between frames, number of frames

# A frame within this of where its run puts it belongs to the run: timestamps are whole ticks
# of a time base (a millisecond in Matroska, so 29.97 fps comes as 33 and 34 ms gaps).
_TOLERANCE = 0.0005


def runs_of(times: Iterable[float]) -> tuple[Run, ...]:
    """The runs of a sorted list of frame times; each run's step is its mean gap."""
    runs: list[list] = []
    for t in times:
        if not runs:
            runs.append([t, 0.0, 1])
            continue
        first, step, count = runs[-1]
        if count == 1:
            runs[-1] = [first, t - first, 2]
        elif abs(first + count * step - t) <= _TOLERANCE:
            runs[-1] = [first, (t - first) / count, count + 1]
        else:
            runs.append([t, 0.0, 1])
    return tuple((round(a, 6), round(b, 9), n) for a, b, n in runs)


def frame_times(runs: Sequence[Run]) -> list[float]:
    return [first + i * step for first, step, count in runs for i in range(count)]


def first_at_or_after(runs: Sequence[Run], t: float, eps: float = 1e-6) -> float:
    """The time of the first frame at or after t (the last frame's time when t is past it)."""
    if not runs:
        return t
    i = bisect.bisect_right([run[0] for run in runs], t + eps) - 1
    if i < 0:
        return runs[0][0]
    first, step, count = runs[i]
    k = max(0, math.ceil((t - eps - first) / step)) if step > 0 else 0
    if k < count:
        return first + k * step
    if i + 1 < len(runs):
        return runs[i + 1][0]
    return first + step * (count - 1)
