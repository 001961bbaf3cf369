"""--oversize: what to do with a source whose clips, copied, would be over the size limit. Pure.

Google's page gives three ways: reduce the resolution (`transcode`, the default), chunk the
file into pieces under the limit (`split`: stream copy, the picture untouched, more examples),
or drop the few large files (`drop`). A row's own `oversize` wins over the flag.
"""
from __future__ import annotations

import dataclasses
from typing import Optional, Sequence

from transforms.core.split_points import ByteTimeline, SplitPlan, choose_splits
from transforms.core.types import ManifestRow, VideoInfo
from transforms.gemini.limits import Limits
from transforms.media import video_info as V

TRANSCODE = "transcode"
SPLIT = "split"
DROP = "drop"
MODES = (TRANSCODE, SPLIT, DROP)


def parse_mode(value: object) -> Optional[str]:
    """`split`, `Split ` -> `split`; None for anything that is not a mode."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if text in MODES else None


def normalised(row: ManifestRow, limits: Limits) -> ManifestRow:
    """The row without an `oversize` that only repeats the flag: such rows share clips with the rest."""
    if row.oversize is not None and row.oversize == limits.oversize:
        return row.model_copy(update={"oversize": None})
    return row


def limits_for_row(row: ManifestRow, limits: Limits) -> Limits:
    if row.oversize is None or row.oversize == limits.oversize:
        return limits
    return dataclasses.replace(limits, oversize=row.oversize)


def copied_bytes(info: VideoInfo, seg_start: float, seg_end: float, limits: Limits) -> float:
    """The size of the largest clip a copy of the segment would make: the file itself when it is
    whole and short enough for one clip, else a clip of the length limit at the file's bitrate."""
    length = seg_end - seg_start
    if seg_start <= 0 and seg_end >= info.duration and length <= limits.planned_clip_seconds:
        return float(info.size_bytes)
    return info.size_bytes / max(info.duration, 1e-3) * min(length, limits.planned_clip_seconds)


def drop_detail(info: VideoInfo, seg_start: float, seg_end: float, limits: Limits) -> str:
    """Under `drop`, why the segment's rows are dropped; empty when they are not."""
    if limits.oversize != DROP:
        return ""
    size = copied_bytes(info, seg_start, seg_end, limits)
    if size <= limits.max_file_bytes:
        return ""
    return (f"--oversize drop: a clip of this video would be about {size / 1e6:.1f} MB, over the "
            f"{limits.max_file_bytes:,}-byte limit; use --oversize split (stream-copied pieces) or "
            "transcode (a smaller picture), or give the row `oversize: split`")


def split_refusal(info: VideoInfo) -> str:
    """Why the source's streams cannot be copied into pieces at all; empty when they can."""
    if not V.can_copy_video_into_mp4(info):
        return f"the video codec {info.video_codec} cannot be stream-copied into MP4"
    if info.rotation:
        return (f"the video is rotated {info.rotation} degrees, and rotated sources are transcoded "
                "upright so that every player shows the same picture")
    causes = V.video_transcode_causes(info)
    if causes:
        return "the video must be re-encoded as well (" + ", ".join(c.value for c in causes) + ")"
    if info.timeline == "edited":
        return "the source has several edits, which stream copy cannot put on one timeline"
    return ""


def split_bounds(info: VideoInfo, seg_start: float, seg_end: float, intervals: Sequence[tuple[float, float]],
                 limits: Limits, max_bytes: float) -> SplitPlan:
    """Keyframe bounds of stream-copied pieces of [seg_start, seg_end), each within `max_bytes` and
    the length limit; no bounds, and the reason, when the source's keyframes cannot make them."""
    refusal = split_refusal(info)
    if refusal:
        return SplitPlan(None, refusal)
    keyframes = info.keyframes or (0.0,)
    start = max((k for k in keyframes if k <= seg_start + 1e-6), default=0.0)
    return choose_splits(start, seg_end, ByteTimeline.of(info), limits.planned_clip_seconds, max_bytes, intervals)


def split_response_detail(limits: Limits) -> str:
    """Why a fixed `response` row cannot take a split source; empty when not splitting."""
    if limits.oversize != SPLIT:
        return ""
    return ("--oversize split cut this video into several stream-copied pieces (it is over the size "
            "limit) and a fixed `response` needs one clip; give the row `oversize: transcode` or annotate it")
