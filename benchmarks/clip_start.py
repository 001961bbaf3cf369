"""Where a written clip really starts in its source, read from its pixels (benchmark corpus only).

The corpus paints colour k mod 7 over the whole frame from second 2k (see corpus.py). The first
frame of a clip that turns from background to a colour shows source second 2k, for the k
nearest the requested start with that colour: real start = 2k - (that frame's clip time).
"""
from __future__ import annotations

from typing import Optional

import av
import numpy as np

from benchmarks.corpus import CLOCK_COLORS, CLOCK_PERIOD
from pipeline.synthetic_media import COLORS

_PALETTE = np.array([COLORS[name] for name in CLOCK_COLORS], dtype=float)


def frame_class(rgb: np.ndarray) -> int:
    """Index of the clock colour filling the frame, or -1 (grey or noisy background)."""
    pixels = rgb.reshape(-1, 3).astype(float)
    if pixels.std(axis=0).max() > 25:
        return -1
    distance = np.abs(_PALETTE - pixels.mean(axis=0)).max(axis=1)
    best = int(distance.argmin())
    return best if distance[best] < 60 else -1


def real_start(path: str, requested: float, scan_seconds: float = 5.0) -> Optional[float]:
    """Source time of the clip's first frame; None when no colour onset shows in the first seconds."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        first = None
        previous = None
        for frame in container.decode(stream):
            t = float(frame.time)
            first = t if first is None else first
            if t - first > scan_seconds:
                return None
            cls = frame_class(frame.reformat(width=16, height=16, format="rgb24").to_ndarray())
            if previous == -1 and cls >= 0:
                clip_time = t - first
                onset = _nearest_onset(cls, requested + clip_time)
                return onset - clip_time
            previous = cls
    return None


def _nearest_onset(colour_index: int, around: float) -> float:
    """The source second 2k (k = colour_index mod 7) nearest `around`."""
    base = 2 * colour_index
    k = round((around - base) / CLOCK_PERIOD)
    return base + k * CLOCK_PERIOD
