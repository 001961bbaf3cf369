"""Frame numbers to times, from the probe's real frame timestamps. Pure.

A manifest annotation may give `start_frame` / `end_frame`: indices of decoded frames, counted
from the first frame a player shows (what CVAT writes). Dividing by a nominal frame rate is
wrong on variable-frame-rate video, by seconds over a long one; the probe records every
frame's presentation time instead (run-length encoded, so a constant-rate video costs one
run) and this module reads them. `start_frame` is the time that frame is shown; `end_frame`
is inclusive, so it is the time that frame ends (the next frame's time, or the video's end).
"""
from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any, Optional, Sequence, Union

from transforms.core.types import Annotation, Drop, DropReason, FrameTimes, ManifestRow, VideoInfo


def encode_runs(pts: Sequence[int]) -> list[list[int]]:
    """[[step, count], ...] of the sorted presentation times after the first."""
    ordered = sorted(pts)
    runs: list[list[int]] = []
    for before, after in zip(ordered, ordered[1:]):
        step = after - before
        if runs and runs[-1][0] == step:
            runs[-1][1] += 1
        else:
            runs.append([step, 1])
    return runs


def frame_times_from_probe(raw: dict[str, Any]) -> Optional[FrameTimes]:
    """The probe's `frame_times` record on the probe's own timeline, or None when it has none."""
    record = raw.get("frame_times")
    if not record:
        return None
    return FrameTimes(time_base=(int(record["time_base"][0]), int(record["time_base"][1])),
                      first_pts=int(record["first_pts"]),
                      runs=tuple((int(step), int(count)) for step, count in record["runs"]),
                      origin=float(raw["video_start"]), end=float(raw["duration"]))


def frame_count(times: FrameTimes) -> int:
    return 1 + sum(count for _, count in times.runs)


def frame_time(times: FrameTimes, index: int) -> float:
    """Timeline seconds at which frame `index` is shown (0 <= index < frame_count)."""
    if index < 0 or index >= frame_count(times):
        raise IndexError(index)
    pts = times.first_pts
    left = index
    for step, count in times.runs:
        if left <= 0:
            break
        taken = min(left, count)
        pts += step * taken
        left -= taken
    # Rounded to the nanosecond: float noise would put frame 0 a hair before the timeline's 0.
    return round(float(pts * Fraction(*times.time_base)) - times.origin, 9)


def frame_end(times: FrameTimes, index: int) -> float:
    """Timeline seconds at which frame `index` stops being shown."""
    if index + 1 < frame_count(times):
        return frame_time(times, index + 1)
    frame_time(times, index)  # raises for an index past the last frame
    return times.end


def resolve_row(row: ManifestRow, info: VideoInfo) -> Union[ManifestRow, Drop]:
    """The row with every frame number turned into a time, or the drop that says which is past the end."""
    if not row.uses_frames:
        return row
    times = info.frame_times
    if times is None:  # the probe stage records them for every source such a row uses
        raise ValueError(f"{info.uri} was probed without its frame times")
    last = frame_count(times) - 1
    resolved = []
    for i, ann in enumerate(row.annotations or ()):
        if not ann.uses_frames:
            resolved.append(ann)
            continue
        for name, value in (("start_frame", ann.start_frame), ("end_frame", ann.end_frame)):
            if value is not None and value > last:
                return _drop(row, info, DropReason.FRAME_OUT_OF_RANGE,
                             f"annotation {i}: `{name}` {value} is past the video's last frame ({last}; "
                             f"{last + 1} frames in {info.duration:.3f}s); frames count from 0, the first "
                             "frame a player shows")
        start = frame_time(times, ann.start_frame) if ann.start_frame is not None else ann.start
        end = frame_end(times, ann.end_frame) if ann.end_frame is not None else ann.end
        if end is not None and end < start:
            return _drop(row, info, DropReason.BAD_RANGE,
                         f"annotation {i} ends ({end:.3f}s) before it starts ({start:.3f}s)")
        outside = _outside_segment(row, start, end)
        if outside:
            return _drop(row, info, DropReason.ANNOTATION_OUT_OF_RANGE, f"annotation {i} {outside}")
        resolved.append(Annotation(start=start, end=end, fields=ann.fields))
    return row.model_copy(update={"annotations": tuple(resolved)})


def _outside_segment(row: ManifestRow, start: float, end: Optional[float]) -> str:
    last = end if end is not None else start
    if (row.start is not None and start < row.start) or (row.end is not None and last > row.end):
        return (f"({start:.3f}s..{last:.3f}s, from its frame numbers) lies outside the row's segment "
                f"{row.start or 0}s..{row.end if row.end is not None else 'end'}")
    return ""


def _drop(row: ManifestRow, info: VideoInfo, reason: DropReason, detail: str) -> Drop:
    # Imported here: the planner imports video_info, which reads the probe's frame times from here.
    from transforms.core.planner import plan_drop
    return plan_drop(row, info, reason, detail)


def resolve_rows(info: VideoInfo, rows: Sequence[ManifestRow]) -> tuple[list[ManifestRow], list[Drop]]:
    """Every row with its frames as times, and the drops; the source without its frame times."""
    kept: list[ManifestRow] = []
    drops: list[Drop] = []
    for row in rows:
        result = resolve_row(row, info)
        (drops if isinstance(result, Drop) else kept).append(result)
    return kept, drops


def without_frame_times(info: VideoInfo) -> VideoInfo:
    """The source as the planner needs it: the frame times would ride along into every clip."""
    return dataclasses.replace(info, frame_times=None) if info.frame_times is not None else info
