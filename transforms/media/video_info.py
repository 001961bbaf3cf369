"""From a probe's raw findings to a VideoInfo, and the questions the planner asks of one."""
from __future__ import annotations

import posixpath
from typing import Any, Optional

from transforms.gemini import limits as L
from transforms.core.frames import frame_times_from_probe
from transforms.core.types import VideoInfo


def container_name(format_name: str, major_brand: str, uri: str, video_codec: str) -> str:
    """Our name for a container: the ISO family split by brand, Matroska vs WebM by content."""
    first = format_name.split(",")[0]
    if first == "mov":
        brand = major_brand.strip().lower()
        if brand == "qt":
            return "quicktime"
        if brand.startswith("3g"):
            return "3gpp"
        return "mp4"
    if first == "matroska":
        is_webm_name = posixpath.splitext(uri.lower())[1] == ".webm"
        return "webm" if is_webm_name and video_codec in ("vp8", "vp9", "av1") else "matroska"
    return first


def video_info(raw: dict[str, Any], uri: str, identity: str) -> VideoInfo:
    return VideoInfo(
        uri=uri,
        size_bytes=int(raw["size_bytes"]),
        container=container_name(raw["format_name"], raw.get("major_brand", ""), uri, raw["video_codec"]),
        duration=float(raw["duration"]),
        video_codec=raw["video_codec"],
        width=int(raw["width"]),
        height=int(raw["height"]),
        fps=float(raw["fps"]),
        rotation=int(raw.get("rotation", 0)),
        has_audio=bool(raw["has_audio"]),
        audio_codec=raw.get("audio_codec", ""),
        # ffmpeg's input -ss counts from the container's start; our timeline from the first frame.
        input_offset=float(raw["video_start"]) - float(raw["container_start"]),
        keyframes=tuple(raw.get("keyframes", ())),
        identity=identity,
        decode_lead=float(raw.get("decode_lead", 0.0)),
        # Absent from probes cached before it was measured: the planner then assumes an even bitrate.
        keyframe_bytes=_keyframe_bytes(raw),
        video_bytes=int(raw.get("video_bytes", 0)),
        frame_times=frame_times_from_probe(raw),
    )


def _keyframe_bytes(raw: dict[str, Any]) -> tuple[int, ...]:
    sizes = tuple(int(b) for b in raw.get("keyframe_bytes", ()))
    return sizes if len(sizes) == len(raw.get("keyframes", ())) else ()


def accepted_mime(info: VideoInfo) -> Optional[str]:
    """The MIME type to declare when the source can be used exactly as it is, else None."""
    mime = L.ACCEPTED_CONTAINERS.get(info.container)
    if mime is None or info.video_codec not in L.ACCEPTED_VIDEO_CODECS:
        return None
    if info.has_audio and info.audio_codec not in L.ACCEPTED_AUDIO_CODECS:
        return None
    return mime


def can_copy_video_into_mp4(info: VideoInfo) -> bool:
    return info.video_codec in L.MP4_VIDEO_CODECS


def can_copy_audio_into_mp4(info: VideoInfo) -> bool:
    return not info.has_audio or info.audio_codec in L.MP4_AUDIO_CODECS
