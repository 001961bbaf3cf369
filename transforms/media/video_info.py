"""From a probe's raw findings to a VideoInfo, and the questions the planner asks of one."""
from __future__ import annotations

import math
import posixpath
from typing import Any, Optional

from transforms.gemini import limits as L
from transforms.core.frames import frame_times_from_probe
from transforms.core.types import TranscodeCause, VideoInfo


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
    keyframes, leads, keyframe_bytes = _closed_keyframes(raw)
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
        keyframes=keyframes,
        identity=identity,
        decode_lead=float(raw.get("decode_lead", 0.0)),
        timeline=str(raw.get("timeline", "plain")),
        audio_lag=float(raw.get("audio_lag", 0.0)),
        frame_runs=tuple((float(a), float(b), int(n)) for a, b, n in raw.get("frame_runs", ())),
        keyframe_leads=leads,
        # Absent from probes cached before it was measured: the planner then assumes an even bitrate.
        keyframe_bytes=keyframe_bytes,
        video_bytes=int(raw.get("video_bytes", 0)),
        frame_times=frame_times_from_probe(raw),
        **picture_and_sound(raw),
    )


def _closed_keyframes(raw: dict[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...], tuple[int, ...]]:
    """The keyframes a copy may start on, with their decode leads and the video bytes before each:
    an open GOP's keyframe is left out (its leading frames need the GOP before it), except the first."""
    keyframes = [float(k) for k in raw.get("keyframes", ())]
    leads = [float(x) for x in raw.get("keyframe_leads", ())]
    sizes = [int(b) for b in raw.get("keyframe_bytes", ())]
    opened = {round(float(k), 6) for k in raw.get("open_keyframes", ())}
    keep = [i for i, k in enumerate(keyframes) if round(k, 6) not in opened]

    def kept(values: list) -> tuple:  # a list parallel to the keyframes, or () when it is not
        return tuple(values[i] for i in keep) if len(values) == len(keyframes) else ()
    return tuple(keyframes[i] for i in keep), kept(leads), kept(sizes)


def picture_and_sound(raw: dict[str, Any]) -> dict[str, Any]:
    """VideoInfo's picture and sound fields from a probe; absent ones keep the defaults."""
    fields: dict[str, Any] = {}
    for name, kind in (("video_index", int), ("video_profile", str), ("pix_fmt", str), ("bit_depth", int),
                       ("chroma", str), ("interlaced", bool), ("color_transfer", str),
                       ("color_primaries", str), ("audio_index", int), ("audio_streams", int),
                       ("audio_channels", int), ("audio_sample_rate", int)):
        if raw.get(name) is not None:
            fields[name] = kind(raw[name])
    if raw.get("sar"):
        fields["sar"] = (int(raw["sar"][0]), int(raw["sar"][1]))
    if raw.get("other_streams") is not None:
        fields["other_streams"] = tuple(raw["other_streams"])
    return fields


def plays_everywhere(info: VideoInfo) -> bool:
    """The video stream is a codec and profile, in 8-bit 4:2:0, that common decoders play."""
    profiles = L.PLAYABLE_PROFILES.get(info.video_codec)
    return profiles is not None and info.video_profile in profiles and info.pix_fmt in L.PLAYABLE_PIXEL_FORMATS


def square_pixels(info: VideoInfo) -> bool:
    num, den = info.sar
    return abs(num / max(den, 1) - 1.0) <= L.SQUARE_PIXEL_TOLERANCE


def video_transcode_causes(info: VideoInfo) -> tuple[TranscodeCause, ...]:
    """Why the video stream cannot be used as it is (empty: it can), cheapest to check first.

    An interlaced source is transcoded even when it could be copied: the model samples single
    frames, and a decoder that does not deinterlace (most do not) shows them combed.
    """
    causes = []
    if not plays_everywhere(info):
        causes.append(TranscodeCause.CODEC)
    if info.color_transfer in L.HDR_TRANSFERS:
        causes.append(TranscodeCause.HDR)
    if info.interlaced:
        causes.append(TranscodeCause.INTERLACE)
    if not square_pixels(info):
        causes.append(TranscodeCause.ASPECT)
    if info.rotation:
        causes.append(TranscodeCause.ROTATION)
    return tuple(causes)


def audio_needs_aac(info: VideoInfo) -> bool:
    """The kept audio track cannot be copied into MP4: another codec, or more than stereo."""
    return info.has_audio and (info.audio_codec not in L.MP4_AUDIO_CODECS
                               or info.audio_channels > L.MAX_COPIED_AUDIO_CHANNELS)


def single_track(info: VideoInfo) -> bool:
    """The file holds the video and at most one audio track, nothing else: a copy keeps no extra stream."""
    return info.audio_streams <= 1 and not info.other_streams


def accepted_mime(info: VideoInfo) -> Optional[str]:
    """The MIME type to declare when the source can be used exactly as it is, else None."""
    mime = L.ACCEPTED_CONTAINERS.get(info.container)
    if mime is None or info.video_codec not in L.ACCEPTED_VIDEO_CODECS:
        return None
    if info.has_audio and (info.audio_codec not in L.ACCEPTED_AUDIO_CODECS
                           or info.audio_channels > L.MAX_COPIED_AUDIO_CHANNELS):
        return None
    if video_transcode_causes(info) or not single_track(info):
        return None
    return mime


def can_copy_video_into_mp4(info: VideoInfo) -> bool:
    return info.video_codec in L.MP4_VIDEO_CODECS


def can_copy_audio_into_mp4(info: VideoInfo) -> bool:
    return not audio_needs_aac(info)


def copyable_aac_bitrate(info: VideoInfo) -> Optional[int]:
    """The bits a second of the source's sound when a transcode that starts at the first frame
    may copy it as it is, else None.

    AAC in at most two channels at 48 kHz or less, on a plain timeline (it starts with the
    picture): what the transcode would write anyway, so copying saves an encode (about 5% of a
    1080p-to-720p transcode's CPU, BENCHMARKS.md) and a generation of loss. The rate counts all but
    the video packets' bytes, the boxes too: never less than the sound's own.
    """
    if not (info.has_audio and info.audio_codec == "aac" and info.video_bytes and info.duration > 0
            and 0 < info.audio_channels <= L.MAX_COPIED_AUDIO_CHANNELS
            and 0 < info.audio_sample_rate <= L.MAX_AUDIO_SAMPLE_RATE and plain_timeline(info)):
        return None
    return math.ceil(max(info.size_bytes - info.video_bytes, 0) * 8 / info.duration)


def plain_timeline(info: VideoInfo) -> bool:
    """A copy of the file as it is starts its first frame at 0 for every reader (see timeline_probe)."""
    return info.timeline == "plain" and abs(info.input_offset) < 1e-3 and info.audio_lag == 0.0
