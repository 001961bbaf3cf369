"""Why a clip was made the way it was: the cause written beside its action in the index. Pure.

The planner picks the cheapest action that complies; this names the rule that ruled out the
cheaper ones, so that a user who sees many transcodes knows what to change in the sources.
"""
from __future__ import annotations

from typing import Optional

from transforms.core.planner import _COPY_SIZE_HEADROOM  # the share of the limit a copy may fill
from transforms.core.types import Action, ClipSpec
from transforms.media import video_info as V


def action_cause(spec: ClipSpec, actual: Action, max_file_bytes: Optional[int] = None) -> str:
    """A few words: 'complies', 'container matroska', 'rotated 90', 'codec mpeg4', ..."""
    info = spec.source
    if actual is Action.COPY:
        return "complies"
    if actual is Action.VIRTUAL:
        return "offsets into a copy"
    if actual is Action.REMUX:
        return f"container {info.container}"
    if actual is Action.CUT:
        return "longer than a clip" if spec.clip_count > 1 else "segment of the source"
    # A transcode: what ruled out a stream copy.
    if spec.action is not Action.TRANSCODE:
        return "stream copy over the size limit"
    if info.rotation:
        return f"rotated {info.rotation}"
    if not V.can_copy_video_into_mp4(info):
        return f"codec {info.video_codec}"
    seconds = spec.end - spec.start
    bytes_per_second = info.size_bytes / max(info.duration, 1e-3)
    if max_file_bytes is not None and bytes_per_second * seconds > max_file_bytes * _COPY_SIZE_HEADROOM:
        return "over the size limit"
    return "no keyframe cut fits"
