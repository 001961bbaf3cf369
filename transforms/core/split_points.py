"""--oversize split: where to cut a source over the size limit into stream-copied pieces. Pure.

A stream-copied piece starts on a keyframe and holds every packet up to its end, so its size
is known before any cut from the probe's byte count at each keyframe (`VideoInfo.keyframe_bytes`).
Each piece must stay under both the size limit and the length limit: the cuts are chosen on a
"load", the larger of the two shares of its limits a piece uses, so that whichever limit binds
sets the pieces, and the pieces come out even rather than leaving a stub at the end.
"""
from __future__ import annotations

import bisect
import dataclasses
import math
from typing import Optional, Sequence

from transforms.core.types import VideoInfo

_EPS = 1e-6


@dataclasses.dataclass(frozen=True)
class ByteTimeline:
    """How many bytes a stream-copied piece [a, b) of a source holds (an estimate, on the safe side).

    Video bytes come from the keyframes' byte counts; a piece that ends between keyframes is
    counted up to the next keyframe (the group of pictures it ends in, whole). Audio and the
    container's boxes are spread evenly over the duration.
    """

    keyframes: tuple[float, ...]
    keyframe_bytes: tuple[int, ...]
    video_bytes: int
    other_bytes_per_second: float
    duration: float

    @classmethod
    def of(cls, info: VideoInfo) -> "ByteTimeline":
        duration = max(info.duration, 1e-3)
        if info.keyframe_bytes and info.video_bytes and len(info.keyframe_bytes) == len(info.keyframes):
            other = max(info.size_bytes - info.video_bytes, 0) / duration
            return cls(tuple(info.keyframes), tuple(info.keyframe_bytes), info.video_bytes, other, duration)
        # Not measured (a probe cached before it was): assume an even bitrate over the whole file.
        return cls((), (), 0, info.size_bytes / duration, duration)

    @property
    def measured(self) -> bool:
        return bool(self.keyframe_bytes)

    def video_bytes_at(self, t: float) -> int:
        """Video bytes before time t, rounded up to the next keyframe."""
        if not self.keyframe_bytes:
            return 0
        i = bisect.bisect_left(self.keyframes, t - _EPS)
        return self.keyframe_bytes[i] if i < len(self.keyframes) else self.video_bytes

    def bytes_between(self, a: float, b: float) -> float:
        return self.video_bytes_at(b) - self.video_bytes_at(a) + self.other_bytes_per_second * (b - a)


@dataclasses.dataclass(frozen=True)
class SplitPlan:
    bounds: Optional[list[float]]  # [start, c1, ..., end]; None: no split under both limits exists
    problem: str = ""               # why not, for the clip's record


def _inside_annotation(t: float, intervals: Sequence[tuple[float, float]]) -> bool:
    return any(start + _EPS < t < end - _EPS for start, end in intervals)


def choose_splits(start: float, end: float, timeline: ByteTimeline, max_seconds: float, max_bytes: float,
                  intervals: Sequence[tuple[float, float]] = ()) -> SplitPlan:
    """Keyframe boundaries with every piece at most `max_seconds` long and `max_bytes` large.

    `start` must be a keyframe (or 0). Each cut aims at an even share of what is left, prefers a
    keyframe between annotations over one that splits an annotation, and a piece at least half
    full; when no keyframe fits some window (keyframes too sparse for the limits), the plan has
    no bounds and says where.
    """
    if max_seconds <= 0 or max_bytes <= 0:
        raise ValueError("the limits must be positive")
    keyframes = timeline.keyframes

    def load(a: float, b: float) -> float:
        return max((b - a) / max_seconds, timeline.bytes_between(a, b) / max_bytes)

    bounds = [start]
    cur = start
    while load(cur, end) > 1 + _EPS:
        lo = bisect.bisect_right(keyframes, cur + _EPS)
        hi = bisect.bisect_right(keyframes, min(cur + max_seconds, end - _EPS) + _EPS)
        allowed = [k for k in keyframes[lo:hi] if load(cur, k) <= 1 + _EPS]
        if not allowed:
            return SplitPlan(None, _sparse_problem(cur, end, keyframes[lo:lo + 1], timeline, max_seconds, max_bytes))
        total = load(cur, end)
        target = total / math.ceil(total - _EPS)
        good = [k for k in allowed if load(cur, k) >= 0.5 and not _inside_annotation(k, intervals)]
        above = [k for k in good if load(cur, k) >= target - _EPS]
        below = [k for k in good if load(cur, k) < target - _EPS]
        cut = above[0] if above else below[-1] if below else allowed[-1]
        bounds.append(cut)
        cur = cut
    bounds.append(end)
    return SplitPlan(bounds)


def _sparse_problem(cur: float, end: float, following: Sequence[float], timeline: ByteTimeline,
                    max_seconds: float, max_bytes: float) -> str:
    nxt = following[0] if following else end
    size = timeline.bytes_between(cur, nxt)
    return (f"keyframes too sparse to split: from the keyframe at {cur:.3f}s the next cut point is "
            f"{nxt:.3f}s, {nxt - cur:.1f}s and about {size / 1e6:.1f} MB later, over the "
            f"{max_seconds:.0f}s / {max_bytes / 1e6:.1f} MB a stream-copied piece may hold")
