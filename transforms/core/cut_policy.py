"""How the cut stage makes one clip: the decisions, over plain values. Pure.

`stages/cut.py` runs ffmpeg and moves bytes; what to run, whether the result is acceptable, and
what to try next are decided here, so that each rule has a unit test without ffmpeg:
- where a COPY's bytes come from (the group's download, or the source itself),
- whether a stream copy is the clip that was planned (else it is dropped: the keyframes moved),
- when a stream copy must be re-encoded instead (it came out over the size limit),
- the bitrate shares a transcode is retried at when it lands over the size limit,
- where an exact (decoding) cut really starts,
- and which clips are cut together by one worker.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Optional

from transforms.core.errors import DropError
from transforms.core.types import Action, ClipSpec, DropReason
from transforms.core.uris import is_local, is_remote
from transforms.gemini.limits import Limits

# A transcode that lands over the size limit is retried at these shares of its bitrate.
RETRY_SCALES = (1.0, 0.8, 0.64)


class ClipError(DropError):
    """A clip that could not be made: dropped, with the rows that need it."""


@dataclasses.dataclass(frozen=True)
class Measured:
    """What a written clip really is, read from its own bytes."""

    duration: float
    bytes: int
    audio_problem: Optional[str] = None  # why its sound would not start with the picture (a copy redoes it)


def copy_reads_download(source_uri: str) -> bool:
    """A COPY of a URL source copies what was downloaded (and checked against the probe), not
    whatever the server sends now; a local or gs:// source is copied directly (gs:// on the server)."""
    return is_remote(source_uri)


def transcoded_start(spec: ClipSpec) -> float:
    """Where an exact (decoding) cut really starts: the first source frame at or after `start`.

    The planner puts `start` on that frame's own time (planner.on_frames: real timestamps, as
    a phone's variable frame rate needs). Only a source probed without its frame times falls
    back to the nominal rate. The written duration is measured.
    """
    fps = spec.source.fps
    if spec.start_on_frame or not fps or spec.start <= 0:
        return spec.start
    return math.ceil(spec.start * fps - 1e-6) / fps


def copied_clip_matches_plan(spec: ClipSpec, measured: Measured) -> bool:
    """A stream copy that started on another keyframe than planned is longer or shorter than planned."""
    frame = 1.0 / spec.source.fps if spec.source.fps else 0.1
    return abs(measured.duration - (spec.end - spec.start)) <= 3 * frame + 0.05


def after_stream_copy(spec: ClipSpec, measured: Measured, limits: Limits) -> Optional[Action]:
    """What to do with a stream copy's result: None to keep it, TRANSCODE to re-encode this clip.

    Raises ClipError when the copy is not the planned clip.
    """
    if not copied_clip_matches_plan(spec, measured):
        raise ClipError(DropReason.CUT_FAILED,
                        f"the stream copy is {measured.duration:.3f}s long, not the planned "
                        f"{spec.end - spec.start:.3f}s: the source's keyframes are not where probing saw them")
    if measured.bytes > limits.max_file_bytes:
        return Action.TRANSCODE  # the bitrate varies: re-encode this clip
    return None


def copy_over_size_note(measured: Measured, limits: Limits) -> str:
    """The clip's note when its stream copy came out over the size limit and it is transcoded instead."""
    return (f"the stream copy came out {measured.bytes:,} bytes, over the {limits.max_file_bytes:,}-byte "
            "limit: transcoded")


def transcode_fits(measured: Measured, limits: Limits) -> bool:
    return measured.bytes <= limits.max_file_bytes


def still_too_large(measured: Measured) -> ClipError:
    return ClipError(DropReason.CLIP_OVER_LIMIT,
                     f"still {measured.bytes} bytes after {len(RETRY_SCALES)} encodes; "
                     "lower --max_height or shorten --max_clip_seconds")


def check_length(measured: Measured, limits: Limits) -> None:
    """Raises ClipError when the written clip is over the length limit."""
    if measured.duration > limits.max_clip_seconds:
        raise ClipError(DropReason.CLIP_OVER_LIMIT,
                        f"the clip is {measured.duration:.3f}s, over the {limits.max_clip_seconds:.0f}s limit")


def batch_key(spec: ClipSpec) -> str:
    """The clips with one key are cut together, by one worker.

    A remote source's clips share its key, so that it is downloaded once for all of them; a local
    source needs no download, so each of its clips gets its own key and its own worker.
    """
    source = spec.source
    # A jumping clock is read whole once (continuous_copy_command) for all of its clips.
    if is_local(source.uri) and source.timeline != "discontinuous":
        return f"clip|{spec.clip_key}"
    return f"source|{source.uri}|{source.identity}"


def clip_order(spec: ClipSpec) -> tuple[int, str]:
    """The order a group's clips are cut in: fixed, so that a rerun does the same work the same way."""
    return spec.clip_index, spec.clip_key
