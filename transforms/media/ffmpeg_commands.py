"""The ffmpeg command lines for each way of making a clip, built with ffmpeg-python. Pure."""
from __future__ import annotations

import os

import ffmpeg

from transforms.media import media_guard
from transforms.media import video_info as V
from transforms.core.picture import output_size
from transforms.core.types import ClipSpec, TranscodeSettings, VideoInfo
from transforms.gemini import limits as L

# ffmpeg ends a stream copy at the first packet whose decode time reaches -ss + -t. Stopping
# half a millisecond before the next keyframe's decode time keeps that keyframe (and the
# frames decoded after it) out, and every frame decoded before it in.
_STOP_BEFORE_DECODE = 0.0005
# HDR to SDR: linear light with BT.2408's reference white (203 cd/m2, where PQ puts SDR white
# and HLG its 75% signal) at 1.0, BT.709 primaries, then the Mobius curve, which keeps every
# tone up to its knee as it is and rolls the highlights above white off smoothly (Hable's
# curve darkens the mid-tones too). zscale and tonemap are in the bundled FFmpeg.
_HDR_TO_SDR = (
    ("zscale", {"t": "linear", "npl": "203"}),
    ("format", {"pix_fmts": "gbrpf32le"}),
    ("zscale", {"p": "bt709"}),
    ("tonemap", {"tonemap": "mobius", "desat": "0"}),
    ("zscale", {"t": "bt709", "m": "bt709", "r": "tv"}),
    ("format", {"pix_fmts": "yuv420p"}),
)


def ffmpeg_binary() -> str:
    """The ffmpeg inside the imageio-ffmpeg wheel, or the one IMAGEIO_FFMPEG_EXE names."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


# A transcode seeks this far before its first frame (the planner's time of it may be off by
# a Matroska tick), so that frame is always kept; setpts then puts it at 0.
_DECODE_LEAD_IN = 0.001


def _input(spec: ClipSpec, src: str, lead_in: float = 0.0):
    """The input, seeking to the clip's first frame: `-ss` counts from the container's start, and
    ffmpeg makes that instant the output's zero. A stream copy aims exactly at its keyframe (the
    probe's time of it, to the microsecond, which rounds back to the same tick): aiming past it
    would hide the time in between behind an edit list, aiming before it would take the keyframe
    before. The source's own empty edits and offsets are left behind the same way."""
    # Only this one local file, read by the demuxer the probe accepted (see media_guard).
    kwargs = media_guard.ffmpeg_input_options(media_guard.demuxer_for(spec.source.container))
    seek = spec.start + spec.source.input_offset
    if seek > 1e-6:
        seek = max(seek - lead_in, 0.0)
        kwargs["ss"] = f"{seek:.6f}"
    return ffmpeg.input(os.path.abspath(src), **kwargs), spec.end - spec.start + (lead_in if seek > 0 else 0.0)


def stream_copy_command(spec: ClipSpec, src: str, out: str, encode_audio: bool = False) -> list[str]:
    """Copy the streams of [start, end) into MP4; audio MP4 cannot carry is re-encoded to AAC.

    `encode_audio`: re-encode the sound too, trimmed to the clip's first frame and padded at
    its start, for a source whose copied sound would not start with the picture (a Matroska or
    MPEG-TS seek lands its audio a few frames late, or seconds early)."""
    inp, seconds = _input(spec, src)
    streams = [_video(inp, spec.source)] + _audio(inp, spec.source, pad=encode_audio)
    kwargs = {"c:v": "copy"}
    if spec.end < spec.source.duration - 1e-3:  # the last piece copies to the end of the file
        lead = spec.source.decode_lead if spec.end_lead is None else spec.end_lead
        kwargs["t"] = f"{seconds - lead - _STOP_BEFORE_DECODE:.6f}"
    # No `avoid_negative_ts make_zero`: it zeroes the first *decode* time, which puts the first
    # frame of a B-frame stream at its decode lead behind an empty edit. The MP4 muxer's own
    # handling keeps the first frame at 0 and writes the lead as the edit's media time instead.
    kwargs.update({
        "movflags": "+faststart",
        "map_metadata": "-1",
        "map_chapters": "-1",  # MP4 would carry them as an extra text track
    })
    if spec.source.has_audio:
        if V.can_copy_audio_into_mp4(spec.source) and spec.source.audio_lag == 0 and not encode_audio:
            kwargs["c:a"] = "copy"
        else:
            kwargs.update(aac_options(spec.source, spec.transcode.audio_bitrate or 64_000))
    return _compile(ffmpeg.output(*streams, out, format="mp4", **kwargs))


def _video(inp, source: VideoInfo):
    return inp[f"v:{source.video_index}"]


def _audio(inp, source: VideoInfo, pad: bool = False) -> list:
    """The one audio track we keep (the default one, else the first); the others are left out.

    Padded with silence at its start when the source's sound starts after its first frame (or
    `pad`), so that the clip's sound starts at 0 too (no empty edit)."""
    if not source.has_audio:
        return []
    audio = inp[f"a:{source.audio_index}"]
    if source.audio_lag > 0 or pad:
        audio = audio.filter("aresample", **{"async": 1, "first_pts": 0})
    return [audio]


def aac_options(source: VideoInfo, bitrate: int) -> dict[str, str]:
    """AAC from whatever arrives (PCM, AC-3, E-AC-3, FLAC, 5.1, 96 kHz, ...): mono stays mono (made
    stereo, the same sound would cost the encoder twice the work), anything else becomes stereo."""
    options = {"c:a": "aac", "b:a": str(bitrate)}
    if source.audio_channels != 1:
        options["ac"] = "2"
    if source.audio_sample_rate > L.MAX_AUDIO_SAMPLE_RATE:
        options["ar"] = str(L.MAX_AUDIO_SAMPLE_RATE)
    return options


def video_filters(source: VideoInfo, settings: TranscodeSettings) -> list[tuple[str, tuple, dict]]:
    """The transcode's filters, in order: (name, args, options). Pure, so the tests read it.

    Deinterlace first (bwdif, one frame per frame: the frame rate stays), then scale to square
    pixels at the display aspect with even sides, then HDR to SDR, then the frame-rate cap.
    Rotation needs no filter: ffmpeg turns the picture upright before these run.
    """
    filters: list[tuple[str, tuple, dict]] = []
    if source.interlaced:
        filters.append(("bwdif", (), {"mode": "send_frame", "parity": "auto", "deint": "all"}))
    width, height = output_size(source, settings.height)
    filters.append(("scale", (width, height), {}))
    filters.append(("setsar", ("1",), {}))
    if source.color_transfer in L.HDR_TRANSFERS:
        filters.extend((name, (), dict(options)) for name, options in _HDR_TO_SDR)
    if settings.fps_cap is not None and source.fps > settings.fps_cap:
        filters.append(("fps", (settings.fps_cap,), {}))
    return filters


def transcode_command(spec: ClipSpec, src: str, out: str, settings: TranscodeSettings,
                      threads: int = 0) -> list[str]:
    """Decode [start, end) exactly and encode it once to H.264/AAC MP4 at `settings`; the
    source's AAC sound is copied as it is when `settings` say so (no seek, so it starts with the
    first frame: see video_info.copyable_aac_bitrate)."""
    inp, seconds = _input(spec, src, _DECODE_LEAD_IN)
    # The first frame kept at 0 exactly, whatever the seek's rounding (no empty edit in the output).
    video = _video(inp, spec.source).filter("setpts", "PTS-STARTPTS")
    for name, args, options in video_filters(spec.source, settings):
        video = video.filter(name, *args, **options)
    streams = [video] + _audio(inp, spec.source)
    kwargs = {
        "t": f"{seconds:.6f}",
        "c:v": "libx264",
        "preset": "veryfast",
        "b:v": str(settings.video_bitrate),
        "maxrate": str(int(settings.video_bitrate * 1.5)),
        "bufsize": str(settings.video_bitrate * 2),
        "pix_fmt": "yuv420p",
        "movflags": "+faststart",
        "map_metadata": "-1",
        "map_chapters": "-1",
        "threads": str(threads),
    }
    if spec.source.color_transfer in L.HDR_TRANSFERS:  # say what the picture now is
        kwargs.update({"color_primaries": "bt709", "color_trc": "bt709", "colorspace": "bt709"})
    if spec.source.has_audio and settings.copied_audio_bitrate:
        kwargs["c:a"] = "copy"
    elif spec.source.has_audio:
        kwargs.update(aac_options(spec.source, settings.audio_bitrate))
    return _compile(ffmpeg.output(*streams, out, format="mp4", **kwargs))


def _compile(stream) -> list[str]:
    # Global options go first: ffmpeg warns about options that trail the output file.
    binary, *rest = stream.compile(cmd=ffmpeg_binary())
    return [binary, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *(os.fspath(a) for a in rest)]


def continuous_copy_command(spec: ClipSpec, src: str, out: str) -> list[str]:
    """The whole source read from its start into QuickTime, streams copied: ffmpeg corrects an
    MPEG-TS clock's jumps as it reads, so the copy's clock runs on (see ts_discontinuity.py),
    and its sample table makes a seek in it exact (Matroska's cues land seconds early).
    QuickTime takes the broadcast codecs (MPEG-2, MP2, AC-3, PCM)."""
    kwargs = media_guard.ffmpeg_input_options(media_guard.demuxer_for(spec.source.container))
    inp = ffmpeg.input(os.path.abspath(src), **kwargs)
    streams = [_video(inp, spec.source)] + _audio(inp, spec.source)
    return _compile(ffmpeg.output(*streams, out, format="mov", c="copy", map_metadata="-1"))


def thumbnail_command(src: str, times: list[float], outs: list[str], height: int, demuxer: str = "") -> list[str]:
    """One JPEG per time (seconds of the file's timeline) from one file, in one ffmpeg run.

    Each time is its own input with its own -ss: ffmpeg seeks to the keyframe before it and
    decodes up to the exact frame, so a long clip is not decoded through for a few frames.
    """
    options = media_guard.ffmpeg_input_options(demuxer or None)
    shots = [ffmpeg.input(os.path.abspath(src), ss=f"{t:.3f}", **options).video
             .filter("scale", -2, height)
             .output(out, vframes=1, **{"q:v": "6"}) for t, out in zip(times, outs)]
    return _compile(ffmpeg.merge_outputs(*shots))
