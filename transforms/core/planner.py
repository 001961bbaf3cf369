"""The least work that brings a source within the limits: pure decisions, no I/O.

For one probed video and the rows that use it: which rows are valid against the video, and
for each segment those rows use, the clips to make and how (copy < remux < cut < transcode).
"""
from __future__ import annotations

import dataclasses
import hashlib
import posixpath
from collections import defaultdict
from typing import Optional, Sequence

from transforms.media import video_info as V
from transforms.core.cut_points import choose_cuts, grid_candidates, keyframe_candidates
from transforms.core import oversize as O
from transforms.gemini.limits import Limits
from transforms.core.types import (Action, ClipSpec, Drop, DropReason, ManifestRow, RowPlan, Stage,
                              TranscodeSettings, VideoInfo)

# Encoder settings are part of every transcoded clip's name: change them and clips are remade.
ENCODER_VERSION = "x264-veryfast-v1"
# Roughly what H.264 at `veryfast` needs for a clean picture, in bits per pixel per frame.
_BITS_PER_PIXEL = 0.05
_HEIGHTS = (2160, 1440, 1080, 720, 540, 480, 360, 240, 144)
# A stream copy is kept when its clips are expected to stay this far under the size limit.
_COPY_SIZE_HEADROOM = 0.95


@dataclasses.dataclass(frozen=True)
class VideoPlan:
    clips: tuple[ClipSpec, ...]
    rows: tuple[RowPlan, ...]
    drops: tuple[Drop, ...]


def plan_video(info: VideoInfo, rows: Sequence[ManifestRow], limits: Limits,
               virtual: bool = False) -> VideoPlan:
    """Clips for every segment that valid rows use; a drop for every row that cannot be served."""
    drops: list[Drop] = []
    by_segment: dict[str, list[ManifestRow]] = defaultdict(list)
    for row in rows:
        problem = check_row(row, info, limits)
        if problem:
            drops.append(problem)
        else:
            row = O.normalised(row, limits)
            by_segment[row.segment_key].append(row)

    clips: list[ClipSpec] = []
    row_plans: list[RowPlan] = []
    for key in sorted(by_segment):
        segment_rows = by_segment[key]
        first = segment_rows[0]
        seg_start = first.start or 0.0
        seg_end = min(first.end, info.duration) if first.end is not None else info.duration
        seg_limits = O.limits_for_row(first, limits)
        over = O.drop_detail(info, seg_start, seg_end, seg_limits)
        if over:
            drops.extend(plan_drop(row, info, DropReason.OVER_SIZE_LIMIT, over) for row in segment_rows)
            continue
        segment_clips = plan_segment(info, key, seg_start, seg_end, _intervals(segment_rows), seg_limits, virtual)
        for row in segment_rows:
            if row.annotations is None and len(segment_clips) > 1:
                drops.append(plan_drop(row, info, DropReason.TOO_LONG_FOR_RESPONSE,
                                       O.split_response_detail(seg_limits) or
                                   "the segment needs more than one clip once snapped to keyframes; "
                                   "give `start`/`end` a little inside the limit"))
            else:
                row_plans.append(RowPlan(row=row, clip_count=len(segment_clips), has_audio=info.has_audio))
        if any(p.row.segment_key == key for p in row_plans):
            clips.extend(segment_clips)
    return VideoPlan(clips=tuple(clips), rows=tuple(row_plans), drops=tuple(drops))


def plan_drop(row: ManifestRow, info: VideoInfo, reason: DropReason, detail: str) -> Drop:
    """The plan stage's drop record for `row` (the planner's and the budget's)."""
    return Drop(row_id=row.row_id, source_uri=info.uri, stage=Stage.PLAN, reason=reason,
                detail=detail, location=row.location)


def check_row(row: ManifestRow, info: VideoInfo, limits: Limits) -> Optional[Drop]:
    """A Drop when the row asks for something the video does not have."""
    tolerance = limits.annotation_tolerance_seconds
    if row.start is not None and row.start >= info.duration:
        return plan_drop(row, info, DropReason.SEGMENT_OUT_OF_RANGE,
                     f"segment starts at {row.start}s but the video is {info.duration:.3f}s long")
    if row.end is not None and row.end > info.duration + tolerance:
        return plan_drop(row, info, DropReason.SEGMENT_OUT_OF_RANGE,
                     f"segment ends at {row.end}s but the video is {info.duration:.3f}s long")
    for i, ann in enumerate(row.annotations or ()):
        last = ann.end if ann.end is not None else ann.start
        if last > info.duration + tolerance:
            return plan_drop(row, info, DropReason.ANNOTATION_OUT_OF_RANGE,
                         f"annotation {i} ends at {last}s but the video is {info.duration:.3f}s long")
    if row.annotations is None:
        seg_start = row.start or 0.0
        seg_end = min(row.end, info.duration) if row.end is not None else info.duration
        if seg_end - seg_start > limits.planned_clip_seconds:
            return plan_drop(row, info, DropReason.TOO_LONG_FOR_RESPONSE,
                         f"a fixed `response` needs one clip, but the video is {seg_end - seg_start:.1f}s "
                         f"and clips at {limits.media_resolution} hold {limits.max_clip_seconds:.0f}s; "
                         "annotate it, give a shorter `start`/`end`, or use --media_resolution LOW")
    return None


def _intervals(rows: Sequence[ManifestRow]) -> list[tuple[float, float]]:
    return [(a.start, a.end) for r in rows for a in (r.annotations or ()) if a.end is not None and a.end > a.start]


def plan_segment(info: VideoInfo, segment_key: str, seg_start: float, seg_end: float,
                 intervals: Sequence[tuple[float, float]], limits: Limits,
                 virtual: bool = False) -> list[ClipSpec]:
    """The clips for [seg_start, seg_end) of a source, made the cheapest way that complies.

    `virtual` (--segments virtual): a source that complies but for its length, or of which
    rows use a segment, is copied once and its clips are offsets into it.
    """
    whole = seg_start <= 0 and seg_end >= info.duration
    max_len = limits.planned_clip_seconds
    length = seg_end - seg_start
    bytes_per_second = info.size_bytes / max(info.duration, 1e-3)
    copy_fits = bytes_per_second * min(length, max_len) <= limits.max_file_bytes * _COPY_SIZE_HEADROOM
    rotated = info.rotation != 0  # baked in by a transcode so every player shows the same picture
    streams_copyable = V.can_copy_video_into_mp4(info) and not rotated and copy_fits

    if whole and length <= max_len and copy_fits and not rotated and V.accepted_mime(info):
        return _specs(info, segment_key, [0.0, info.duration], Action.COPY, limits)
    if virtual and virtual_segments_fit(info, limits):
        return virtual_specs(info, segment_key, seg_start, seg_end, intervals, limits)
    if not copy_fits and limits.oversize == O.SPLIT:
        return split_specs(info, segment_key, seg_start, seg_end, intervals, limits)
    if streams_copyable:
        if whole and length <= max_len:
            return _specs(info, segment_key, [0.0, info.duration], Action.REMUX, limits)
        keyframes = info.keyframes or (0.0,)
        # A copied clip starts on a keyframe: snap the segment's start back to the one before it.
        start = max((k for k in keyframes if k <= seg_start + 1e-6), default=0.0)
        bounds = choose_cuts(start, seg_end, max_len, keyframe_candidates(keyframes), intervals)
        if bounds is not None:
            return _specs(info, segment_key, bounds, Action.CUT, limits)
    bounds = choose_cuts(seg_start, seg_end, max_len, grid_candidates(1.0), intervals)
    return _specs(info, segment_key, bounds, Action.TRANSCODE, limits)


def split_specs(info: VideoInfo, segment_key: str, seg_start: float, seg_end: float,
                intervals: Sequence[tuple[float, float]], limits: Limits) -> list[ClipSpec]:
    """--oversize split: stream-copied pieces under the size and length limits, cut on keyframes;
    a transcode, with the reason in each clip's note, where stream copy cannot make such pieces."""
    plan = O.split_bounds(info, seg_start, seg_end, intervals, limits,
                          limits.max_file_bytes * _COPY_SIZE_HEADROOM)
    if plan.bounds is not None:
        return _specs(info, segment_key, plan.bounds, Action.CUT, limits)
    bounds = choose_cuts(seg_start, seg_end, limits.planned_clip_seconds, grid_candidates(1.0), intervals)
    note = f"--oversize split fell back to transcode: {plan.problem}"
    return [dataclasses.replace(spec, note=note)
            for spec in _specs(info, segment_key, bounds, Action.TRANSCODE, limits)]


def _specs(info: VideoInfo, segment_key: str, bounds: list[float], action: Action,
           limits: Limits) -> list[ClipSpec]:
    lean = dataclasses.replace(info, keyframes=(), keyframe_bytes=())
    count = len(bounds) - 1
    specs = []
    for index, (start, end) in enumerate(zip(bounds, bounds[1:])):
        settings = transcode_settings(info, end - start, limits)
        specs.append(ClipSpec(
            source=lean, segment_key=segment_key, clip_index=index, clip_count=count,
            start=start, end=end, action=action, transcode=settings,
            media_name=media_name(info, action, start, end, settings)))
    return specs


def virtual_segments_fit(info: VideoInfo, limits: Limits) -> bool:
    """The source can be referenced as it is: an accepted file under the size limit, upright,
    whose timeline starts at its container's zero (so an offset means the same time to any reader)."""
    return (V.accepted_mime(info) is not None and info.size_bytes <= limits.max_file_bytes
            and info.rotation == 0 and abs(info.input_offset) < 1e-3)


def virtual_specs(info: VideoInfo, segment_key: str, seg_start: float, seg_end: float,
                  intervals: Sequence[tuple[float, float]], limits: Limits) -> list[ClipSpec]:
    """Offsets into the one copy of the source: any time is a valid bound, no keyframe needed."""
    bounds = choose_cuts(seg_start, seg_end, limits.planned_clip_seconds, grid_candidates(1.0), intervals)
    # Every clip, and a whole-video copy, share the one copied file.
    shared = media_name(info, Action.COPY, 0.0, info.duration, transcode_settings(info, info.duration, limits))
    return [dataclasses.replace(spec, media_name=shared)
            for spec in _specs(info, segment_key, bounds, Action.VIRTUAL, limits)]


def transcode_settings(info: VideoInfo, seconds: float, limits: Limits, scale: float = 1.0) -> TranscodeSettings:
    """A bitrate that lands `seconds` of video under the size limit, and a height that suits it.

    `scale` < 1 asks for less, for a retry after an encode came out too large.
    """
    audio = limits.audio_bitrate if info.has_audio else 0
    budget_bits = limits.max_file_bytes * limits.size_target_ratio * 8 * scale
    fps = min(info.fps or limits.fps_cap, limits.fps_cap)
    display_w, display_h = (info.height, info.width) if info.rotation in (90, 270) else (info.width, info.height)
    aspect = display_w / max(display_h, 1)
    cap = min(display_h, limits.max_height)
    # Never ask for more than a clean picture at the capped height needs: smaller files, same model input.
    needed_at_cap = _BITS_PER_PIXEL * cap * cap * aspect * fps
    video = int(min(budget_bits / max(seconds, 1.0) - audio, needed_at_cap))
    video = max(video, 50_000)
    # `video` was rounded down to whole bits: compare with a bit of slack, or the cap height
    # would miss by a fraction of a bit at NTSC rates.
    height = next((h for h in _HEIGHTS if h <= cap and _BITS_PER_PIXEL * h * h * aspect * fps <= video + 1),
                  min(_HEIGHTS[-1], cap))
    return TranscodeSettings(video_bitrate=video, audio_bitrate=audio, height=height - height % 2,
                             fps_cap=limits.fps_cap)


def media_name(info: VideoInfo, action: Action, start: float, end: float,
               settings: TranscodeSettings) -> str:
    """A name that changes whenever the source, the clip or the encoder settings change."""
    stem = posixpath.splitext(posixpath.basename(info.uri))[0][:40] or "video"
    recipe = f"{info.uri}|{info.identity}|{action.value}|{start:.6f}|{end:.6f}|{settings}|{ENCODER_VERSION}"
    digest = hashlib.sha1(recipe.encode("utf-8")).hexdigest()[:16]
    ext = posixpath.splitext(info.uri)[1].lower() if action is Action.COPY else ".mp4"
    return f"{stem}-{digest}{ext or '.mp4'}"
