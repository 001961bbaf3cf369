"""Move annotations from the source's timeline onto the timeline of the clip that holds them. Pure."""
from __future__ import annotations

from typing import Sequence

from transforms.core.types import Annotation

_EPS = 1e-6


def remap_to_clip(annotations: Sequence[Annotation], clip_start: float, clip_end: float,
                  is_last: bool) -> list[Annotation]:
    """The annotations that overlap [clip_start, clip_end), clipped to it and shifted to start at 0.

    `clip_start`/`clip_end` are where the clip really is in the source (as cut, measured), so
    a time t of the source becomes t - clip_start in the clip. An interval that straddles a
    cut appears in both clips, clipped; a point (no `end`) goes to the clip whose half-open
    range holds it, and the last clip also takes points at its very end. Sorted by start.
    """
    length = clip_end - clip_start
    out = []
    for ann in annotations:
        if is_last and ann.start >= clip_end - _EPS:
            # Past the last frame by less than the tolerance planning allowed: pin it to the end.
            ann = Annotation(start=clip_end, end=None if ann.end is None else clip_end, fields=ann.fields)
        if ann.end is None or ann.end <= ann.start:
            t = ann.start
            inside = clip_start - _EPS <= t < clip_end - _EPS or (is_last and abs(t - clip_end) <= _EPS)
            if inside:
                shifted = min(max(t - clip_start, 0.0), length)
                end = None if ann.end is None else shifted
                out.append(Annotation(start=shifted, end=end, fields=ann.fields))
            continue
        if ann.end <= clip_start + _EPS or ann.start >= clip_end - _EPS:
            continue
        out.append(Annotation(start=max(ann.start, clip_start) - clip_start,
                              end=min(ann.end, clip_end) - clip_start, fields=ann.fields))
    return sorted(out, key=lambda a: (a.start, a.end if a.end is not None else a.start))


def unplaced(annotations: Sequence[Annotation], clips: Sequence[tuple[float, float]]) -> list[int]:
    """Indexes of annotations that no clip holds (a gap between measured clips): never silent."""
    missing = []
    for i, ann in enumerate(annotations):
        held = any(remap_to_clip([ann], start, end, is_last=(k == len(clips) - 1))
                   for k, (start, end) in enumerate(clips))
        if not held:
            missing.append(i)
    return missing
