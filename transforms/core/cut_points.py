"""Where to cut a long stretch of video into clips under a length limit.

Pure: given the times a cut may fall on (keyframes for stream copy, any whole second for a
transcode) and the annotations' intervals, return the clip boundaries.
"""
from __future__ import annotations

import bisect
import math
from typing import Callable, Optional, Sequence

Candidates = Callable[[float, float], Sequence[float]]

_EPS = 1e-6


def keyframe_candidates(keyframes: Sequence[float]) -> Candidates:
    """Cut times for stream copy: only keyframes, since a copied clip must start on one."""
    ordered = sorted(keyframes)

    def between(lo: float, hi: float) -> Sequence[float]:
        return ordered[bisect.bisect_right(ordered, lo + _EPS):bisect.bisect_right(ordered, hi + _EPS)]

    return between


def grid_candidates(step: float = 1.0) -> Candidates:
    """Cut times for a transcode: any multiple of `step` (whole seconds keep MM:SS exact)."""

    def between(lo: float, hi: float) -> Sequence[float]:
        first = math.floor(lo / step + _EPS) + 1
        last = math.floor(hi / step + _EPS)
        return [i * step for i in range(first, last + 1)]

    return between


def _inside_annotation(t: float, intervals: Sequence[tuple[float, float]]) -> bool:
    return any(start + _EPS < t < end - _EPS for start, end in intervals)


def choose_cuts(start: float, end: float, max_len: float, candidates: Candidates,
                intervals: Sequence[tuple[float, float]] = ()) -> Optional[list[float]]:
    """Boundaries [start, c1, ..., end] with every clip at most `max_len` long.

    Each cut aims at an even share of what is left, so the last clip is not a stub; it
    prefers a time that falls between annotations over one that splits an annotation, and
    accepts any allowed time rather than a clip over the limit. None when no allowed time
    falls in some window (a keyframe interval longer than the limit): stream copy cannot
    cut this stretch.
    """
    if max_len <= 0:
        raise ValueError("max_len must be positive")
    bounds = [start]
    cur = start
    while end - cur > max_len + _EPS:
        allowed = list(candidates(cur, cur + max_len))
        if not allowed:
            return None
        pieces = math.ceil((end - cur) / max_len - _EPS)
        target = cur + (end - cur) / pieces
        good = [c for c in allowed if c >= cur + max_len / 2 and not _inside_annotation(c, intervals)]
        above = [c for c in good if c >= target - _EPS]
        below = [c for c in good if c < target - _EPS]
        if above:
            cut = above[0]
        elif below:
            cut = below[-1]
        else:
            cut = allowed[-1]  # every allowed time splits an annotation: clip it into both
        bounds.append(cut)
        cur = cut
    bounds.append(end)
    return bounds
