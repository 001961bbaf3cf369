"""What the probe child reports about the picture and the sound, beyond codec and size.

The copy decision needs more than a codec name (an H.264 stream may be 4:4:4 or 10-bit, an
MPEG-2 one interlaced, a DV one anamorphic, an HEVC one HDR), and a transcode needs to know
which audio track to keep. Everything here is read from the stream headers and from the first
decoded frame, which both probe paths (header-only and whole-file) decode anyway. Runs in the
probe child only (it imports PyAV).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

# libavutil's enum values (AVFieldOrder, AVColorTransferCharacteristic, AVColorPrimaries), by
# the names ffmpeg prints. PyAV hands over the numbers.
_FIELD_ORDERS = {0: "unknown", 1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}
_TRANSFERS = {1: "bt709", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m", 8: "linear",
              13: "iec61966-2-1", 14: "bt2020-10", 15: "bt2020-12", 16: "smpte2084", 18: "arib-std-b67"}
_PRIMARIES = {1: "bt709", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020", 11: "smpte431",
              12: "smpte432"}
INTERLACED_FIELD_ORDERS = frozenset({"tt", "bb", "tb", "bt"})


def is_cover_art(stream) -> bool:
    """A still picture attached to the file (album art, a thumbnail): not the video."""
    import av

    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def chroma_of(pix_fmt: str) -> tuple[int, str]:
    """(bit depth, chroma subsampling) of a pixel format: yuv420p10le -> (10, "4:2:0")."""
    import av

    try:
        fmt = av.VideoFormat(pix_fmt)
    except (ValueError, TypeError):
        return 0, "unknown"
    depth = max((c.bits for c in fmt.components), default=0)
    if fmt.is_rgb:
        return depth, "rgb"
    if len([c for c in fmt.components if not c.is_alpha]) == 1:
        return depth, "4:0:0"
    w, h = fmt.chroma_width(1024), fmt.chroma_height(1024)
    return depth, {(512, 512): "4:2:0", (512, 1024): "4:2:2", (1024, 1024): "4:4:4",
                   (256, 1024): "4:1:1"}.get((w, h), f"{1024 // max(w, 1)}x{1024 // max(h, 1)}")


def _ratio(value) -> tuple[int, int]:
    if not value:
        return 0, 0
    fraction = Fraction(value)
    return fraction.numerator, fraction.denominator


def picture_fields(stream, frame) -> dict[str, Any]:
    """Profile, pixel format, bit depth, chroma, interlacing, pixel aspect and colour of a video stream.

    `frame` is its first decoded frame: the decoder's view wins over the container's where
    both exist, except for the pixel aspect, where the container's wins (as in ffmpeg itself,
    av_guess_sample_aspect_ratio), falling back to the bitstream's.
    """
    context = stream.codec_context
    pix_fmt = frame.format.name if frame is not None else (context.pix_fmt or "")
    depth, chroma = chroma_of(pix_fmt)
    field_order = _FIELD_ORDERS.get(int(context.field_order or 0), "unknown")
    interlaced = bool(getattr(frame, "interlaced_frame", False)) or field_order in INTERLACED_FIELD_ORDERS
    num, den = _ratio(stream.sample_aspect_ratio)
    if not num or not den:
        num, den = _ratio(context.sample_aspect_ratio)
    if not num or not den:
        num, den = 1, 1
    transfer = int((frame.color_trc if frame is not None else 0) or context.color_trc or 0)
    primaries = int((frame.color_primaries if frame is not None else 0) or context.color_primaries or 0)
    return {
        "video_profile": context.profile or "",
        "pix_fmt": pix_fmt,
        "bit_depth": depth,
        "chroma": chroma,
        "field_order": field_order,
        "interlaced": interlaced,
        "sar": [num, den],
        "color_transfer": _TRANSFERS.get(transfer, "" if transfer in (0, 2) else str(transfer)),
        "color_primaries": _PRIMARIES.get(primaries, "" if primaries in (0, 2) else str(primaries)),
    }


def chosen_audio(audios: list) -> int:
    """The audio track a player plays: the first one marked default, else the first one."""
    import av

    for position, stream in enumerate(audios):
        if stream.disposition & av.stream.Disposition.default:
            return position
    return 0


def audio_fields(container) -> dict[str, Any]:
    """The audio track we keep (`audio_index` among the audio streams) and its layout."""
    audios = [s for s in container.streams.audio if s.codec_context is not None]
    fields: dict[str, Any] = {"audio_streams": len(audios), "audio_index": 0, "audio_channels": 0,
                              "audio_sample_rate": 0}
    if audios:
        index = chosen_audio(audios)
        context = audios[index].codec_context
        # The codec's own name (mp3), not its decoder's (mp3float).
        fields.update({"audio_index": index, "audio_codec": context.codec.canonical_name,
                       "audio_channels": int(getattr(context.layout, "nb_channels", 0) or context.channels or 0),
                       "audio_sample_rate": int(context.sample_rate or 0)})
    return fields


def other_streams(container, video, audio_index: int) -> list[str]:
    """The kinds of every stream but the video and the audio track we keep: subtitles, data
    (timecode, GPS, ...), attachments (fonts), cover art, further audio tracks or angles.
    None of them goes into a file we write."""
    audios = [s for s in container.streams.audio if s.codec_context is not None]
    kept = {video.index} | ({audios[audio_index].index} if audios else set())
    kinds = []
    for stream in container.streams:
        if stream.index in kept:
            continue
        kinds.append("cover_art" if stream.type == "video" and is_cover_art(stream) else stream.type)
    return sorted(kinds)
