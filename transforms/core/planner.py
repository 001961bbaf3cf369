"""The least work that brings a source within the limits: pure decisions, no I/O.

For one probed video and the rows that use it: which rows are valid against the video, and
for each segment those rows use, the clips to make and how (copy < remux < cut < transcode).
"""
from __future__ import annotations

import bisect
import dataclasses
import hashlib
import posixpath
from collections import defaultdict
from typing import Optional, Sequence

from transforms.media import video_info as V
from transforms.core.picture import display_aspect, display_size
from transforms.core.cut_points import choose_cuts, grid_candidates, keyframe_candidates
from transforms.core.frame_runs import first_at_or_after
from transforms.core import oversize as O
from transforms.gemini.limits import Limits
from transforms.core.types import (Action, ClipSpec, Drop, DropReason, ManifestRow, RowPlan, Stage,
                              TranscodeCause, TranscodeSettings, VideoInfo)

# Encoder settings are part of every transcoded clip's name: change them and clips are remade.
# v2: deinterlaced, square pixels at the display aspect, HDR tone-mapped, the default audio track.
# v3: stream copies seek exactly, without make_zero; transcodes start on real frames (timelines).
ENCODER_VERSION = "x264-veryfast-v3"
# Roughly what H.264 at `veryfast` needs for a clean picture, in bits per pixel per frame.
_BITS_PER_PIXEL = 0.05
_HEIGHTS = (2160, 1440, 1080, 720, 540, 480, 360, 240, 144)
# A source that gives no frame rate is budgeted as a common one.
_UNKNOWN_FPS = 30.0
# A stream copy is kept when its clips are expected to stay this far under the size limit.
_COPY_SIZE_HEADROOM = 0.95


# Why a video of a several-video row must fit one clip, and what to do about it.
_ONE_CLIP = ("an example of several videos takes each video whole, in one clip (it cannot be chunked "
             "across videos): trim the video, use LOW (longer clips), or give it its own row")


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
            if row.part_index is not None and len(segment_clips) > 1:
                drops.append(plan_drop(row, info, DropReason.VIDEO_NEEDS_SEVERAL_CLIPS,
                                       f"the video would be cut into {len(segment_clips)} clips"
                                       + (" (--oversize split)" if O.split_response_detail(seg_limits) else "")
                                       + f"; {_ONE_CLIP}"))
            elif row.annotations is None and len(segment_clips) > 1:
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
        if row.part_index is not None and seg_end - seg_start > limits.planned_clip_seconds:
            return plan_drop(row, info, DropReason.VIDEO_NEEDS_SEVERAL_CLIPS,
                             f"the video is {seg_end - seg_start:.1f}s and a clip at {limits.media_resolution} "
                             f"holds {limits.max_clip_seconds:.0f}s; {_ONE_CLIP}")
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
    # Rotation is baked in, interlacing removed, pixels made square, HDR mapped to SDR, and
    # codecs/profiles that common decoders may not play re-encoded (video_info.video_transcode_causes).
    video_causes = V.video_transcode_causes(info)
    audio_causes = (TranscodeCause.AUDIO,) if V.audio_needs_aac(info) else ()
    # Several edits in one file (an editor's cuts) cannot be stream-copied onto one timeline.
    streams_copyable = (V.can_copy_video_into_mp4(info) and not video_causes and copy_fits
                        and info.timeline != "edited")
    # A trimmed source's first shown frame is not a keyframe (the one before it is hidden).
    keyframes = info.keyframes or (0.0,)
    starts_on_keyframe = keyframes[0] < 1e-6

    if whole and length <= max_len and copy_fits and V.accepted_mime(info) and V.plain_timeline(info):
        return _specs(info, segment_key, [0.0, info.duration], Action.COPY, limits)
    if virtual and virtual_segments_fit(info, limits):
        return virtual_specs(info, segment_key, seg_start, seg_end, intervals, limits)
    if not copy_fits and limits.oversize == O.SPLIT:
        return split_specs(info, segment_key, seg_start, seg_end, intervals, limits, video_causes, audio_causes)
    sparse_keyframes: tuple[TranscodeCause, ...] = ()
    if streams_copyable:
        if whole and length <= max_len and starts_on_keyframe:
            return _specs(info, segment_key, [0.0, info.duration], Action.REMUX, limits, audio_causes)
        # A copied clip starts on a keyframe: snap the segment's start back to the one before it.
        before = [k for k in keyframes if k <= seg_start + 1e-6]
        start = max(before) if before else seg_start
        bounds = choose_cuts(start, seg_end, max_len, keyframe_candidates(keyframes), intervals)
        if bounds is not None:
            specs = _specs(info, segment_key, bounds, Action.CUT, limits, audio_causes)
            if not before:
                # No keyframe at or before the start (a trimmed source): a copy would start on a
                # hidden frame, so this one clip is decoded and encoded exactly; the rest are copied.
                specs[0] = _retyped(info, specs[0], Action.TRANSCODE, (TranscodeCause.KEYFRAMES,) + audio_causes)
            return specs
        sparse_keyframes = (TranscodeCause.KEYFRAMES,)
    bounds = choose_cuts(seg_start, seg_end, max_len, grid_candidates(1.0), intervals)
    causes = _transcode_causes(info, video_causes, copy_fits) + sparse_keyframes + audio_causes
    return _specs(info, segment_key, on_frames(info, bounds), Action.TRANSCODE, limits, causes,
                  start_on_frame=bool(info.frame_runs))


def on_frames(info: VideoInfo, bounds: list[float]) -> list[float]:
    """Bounds moved onto the frames a decoding cut really starts at: the first at or after each,
    from the frames' own times (a phone's frame rate varies, and it stalls), never frames / fps.
    The last bound stays: a clip ends where the source or the segment does."""
    if not info.frame_runs:
        return bounds
    return [first_at_or_after(info.frame_runs, b) for b in bounds[:-1]] + bounds[-1:]


def _transcode_causes(info: VideoInfo, video_causes: tuple[TranscodeCause, ...],
                      copy_fits: bool) -> tuple[TranscodeCause, ...]:
    causes = list(video_causes)
    if not V.can_copy_video_into_mp4(info) and TranscodeCause.CODEC not in causes:
        causes.insert(0, TranscodeCause.CODEC)  # plays, but MP4 cannot carry it (VP8)
    if not copy_fits:
        causes.insert(0, TranscodeCause.SIZE)
    return tuple(causes)


def split_specs(info: VideoInfo, segment_key: str, seg_start: float, seg_end: float,
                intervals: Sequence[tuple[float, float]], limits: Limits,
                video_causes: tuple[TranscodeCause, ...], audio_causes: tuple[TranscodeCause, ...]) -> list[ClipSpec]:
    """--oversize split: stream-copied pieces under the size and length limits, cut on keyframes;
    a transcode, with the reason in each clip's note, where stream copy cannot make such pieces."""
    plan = O.split_bounds(info, seg_start, seg_end, intervals, limits,
                          limits.max_file_bytes * _COPY_SIZE_HEADROOM)
    if plan.bounds is not None:
        specs = _specs(info, segment_key, plan.bounds, Action.CUT, limits, audio_causes)
        if not any(k <= plan.bounds[0] + 1e-6 for k in info.keyframes):
            # A trimmed source's first shown frame is no keyframe: that piece alone is encoded.
            specs[0] = _retyped(info, specs[0], Action.TRANSCODE, (TranscodeCause.KEYFRAMES,) + audio_causes)
        return specs
    bounds = choose_cuts(seg_start, seg_end, limits.planned_clip_seconds, grid_candidates(1.0), intervals)
    note = f"--oversize split fell back to transcode: {plan.problem}"
    causes = _transcode_causes(info, video_causes, copy_fits=False) + audio_causes
    return [dataclasses.replace(spec, note=note)
            for spec in _specs(info, segment_key, on_frames(info, bounds), Action.TRANSCODE, limits, causes,
                               start_on_frame=bool(info.frame_runs))]


def _specs(info: VideoInfo, segment_key: str, bounds: list[float], action: Action,
           limits: Limits, causes: tuple[TranscodeCause, ...] = (),
           start_on_frame: bool = False) -> list[ClipSpec]:
    lean = dataclasses.replace(info, keyframes=(), frame_runs=(), keyframe_leads=(),
                               keyframe_bytes=())
    count = len(bounds) - 1
    specs = []
    for index, (start, end) in enumerate(zip(bounds, bounds[1:])):
        settings = transcode_settings(info, end - start, limits, start=start)
        specs.append(ClipSpec(
            source=lean, segment_key=segment_key, clip_index=index, clip_count=count,
            start=start, end=end, action=action, transcode=settings,
            media_name=media_name(info, action, start, end, settings), causes=causes,
            end_lead=_lead_at(info, end), start_on_frame=start_on_frame))
    return specs


def _lead_at(info: VideoInfo, t: float) -> Optional[float]:
    """The decode lead of the keyframe at t, or of the one before it (a segment's end inside a
    GOP), when the probe measured each keyframe's: at a variable frame rate it varies."""
    if not info.keyframe_leads or len(info.keyframe_leads) != len(info.keyframes):
        return None
    i = bisect.bisect_right(info.keyframes, t + 1e-6) - 1
    return info.keyframe_leads[max(i, 0)]


def _retyped(info: VideoInfo, spec: ClipSpec, action: Action, causes: tuple[TranscodeCause, ...]) -> ClipSpec:
    # Its start is a keyframe's time, or the first frame's (0): a real frame either way.
    return dataclasses.replace(spec, action=action, start_on_frame=True, causes=causes,
                               media_name=media_name(info, action, spec.start, spec.end, spec.transcode))


def virtual_segments_fit(info: VideoInfo, limits: Limits) -> bool:
    """The source can be referenced as it is: an accepted file under the size limit, upright,
    whose timeline starts at its container's zero (so an offset means the same time to any reader)."""
    return (V.accepted_mime(info) is not None and info.size_bytes <= limits.max_file_bytes
            and V.plain_timeline(info))  # accepted_mime: upright, square, progressive, SDR


def virtual_specs(info: VideoInfo, segment_key: str, seg_start: float, seg_end: float,
                  intervals: Sequence[tuple[float, float]], limits: Limits) -> list[ClipSpec]:
    """Offsets into the one copy of the source: any time is a valid bound, no keyframe needed."""
    bounds = choose_cuts(seg_start, seg_end, limits.planned_clip_seconds, grid_candidates(1.0), intervals)
    # Every clip, and a whole-video copy, share the one copied file.
    shared = media_name(info, Action.COPY, 0.0, info.duration, transcode_settings(info, info.duration, limits))
    return [dataclasses.replace(spec, media_name=shared)
            for spec in _specs(info, segment_key, bounds, Action.VIRTUAL, limits)]


def transcode_settings(info: VideoInfo, seconds: float, limits: Limits, scale: float = 1.0,
                       start: float = 0.0) -> TranscodeSettings:
    """A bitrate that lands `seconds` of video under the size limit, and a height that suits it.

    `scale` < 1 asks for less, for a retry after an encode came out too large. A clip that
    starts at the source's first frame (`start` 0) copies the source's AAC sound when that
    costs the picture no bits (video_info.copyable_aac_bitrate).
    """
    encoded = limits.audio_bitrate if info.has_audio else 0
    budget_bits = limits.max_file_bytes * limits.size_target_ratio * 8 * scale
    fps = info.fps or _UNKNOWN_FPS
    if limits.fps_cap is not None:
        fps = min(fps, limits.fps_cap)
    aspect = display_aspect(info)
    display_h = int(display_size(info)[1])
    cap = min(display_h - display_h % 2, limits.max_height)
    # Never ask for more than a clean picture at the capped height needs: smaller files, same model input.
    needed_at_cap = _BITS_PER_PIXEL * cap * cap * aspect * fps

    def video_bits(audio: int) -> int:
        return max(int(min(budget_bits / max(seconds, 1.0) - audio, needed_at_cap)), 50_000)

    video = video_bits(encoded)
    copied = V.copyable_aac_bitrate(info) if start <= 1e-6 else None
    if copied is not None and video_bits(copied) < video:
        copied = None  # the copy's bits would come out of the picture's
    # `video` was rounded down to whole bits: compare with a bit of slack, or the cap height
    # would miss by a fraction of a bit at NTSC rates.
    # The picture's own height is a candidate too: a source a little under a standard height
    # (576, 767) is not scaled for nothing.
    heights = sorted(set(_HEIGHTS) | {cap}, reverse=True)
    height = next((h for h in heights if h <= cap and _BITS_PER_PIXEL * h * h * aspect * fps <= video + 1),
                  min(_HEIGHTS[-1], cap))
    return TranscodeSettings(video_bitrate=video, audio_bitrate=encoded, height=height - height % 2,
                             fps_cap=limits.fps_cap, copied_audio_bitrate=copied or 0)


def _named(settings: TranscodeSettings) -> str:
    """The settings as a clip's name spells them: without copied sound, as before copying it
    existed, so that every clip made by earlier versions (copies, cuts, transcodes that encode
    their sound) keeps its name and is reused by a nightly rerun instead of made again."""
    return repr(settings).replace(", copied_audio_bitrate=0)", ")")


def media_name(info: VideoInfo, action: Action, start: float, end: float,
               settings: TranscodeSettings) -> str:
    """A name that changes whenever the source, the clip or the encoder settings change."""
    stem = posixpath.splitext(posixpath.basename(info.uri))[0][:40] or "video"
    if action is not Action.TRANSCODE:  # copied sound changes only a transcode's bytes
        settings = dataclasses.replace(settings, copied_audio_bitrate=0)
    recipe = f"{info.uri}|{info.identity}|{action.value}|{start:.6f}|{end:.6f}|{_named(settings)}|{ENCODER_VERSION}"
    digest = hashlib.sha1(recipe.encode("utf-8")).hexdigest()[:16]
    ext = posixpath.splitext(info.uri)[1].lower() if action is Action.COPY else ".mp4"
    return f"{stem}-{digest}{ext or '.mp4'}"
