"""The ffmpeg command lines for each way of making a clip, built with ffmpeg-python. Pure."""
from __future__ import annotations

import os

import ffmpeg

from transforms.media import media_guard
from transforms.media import video_info as V
from transforms.core.types import ClipSpec, TranscodeSettings

# A copied clip starts at the keyframe at or before -ss; aiming a millisecond past the
# keyframe keeps float rounding from landing on the keyframe before it.
_SEEK_PAST_KEYFRAME = 0.001
# ffmpeg ends a stream copy at the first packet whose decode time reaches -ss + -t. Stopping
# half a millisecond before the next keyframe's decode time keeps that keyframe (and the
# frames decoded after it) out, and every frame decoded before it in.
_STOP_BEFORE_DECODE = 0.0005


def ffmpeg_binary() -> str:
    """The ffmpeg inside the imageio-ffmpeg wheel, or the one IMAGEIO_FFMPEG_EXE names."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _input(spec: ClipSpec, src: str, seek_pad: float):
    start = spec.start
    # Only this one local file, read by the demuxer the probe accepted (see media_guard).
    kwargs = media_guard.ffmpeg_input_options(media_guard.demuxer_for(spec.source.container))
    if start > 0:
        kwargs["ss"] = f"{start + spec.source.input_offset + seek_pad:.6f}"
    return ffmpeg.input(os.path.abspath(src), **kwargs), (spec.end - start - (seek_pad if start > 0 else 0.0))


def stream_copy_command(spec: ClipSpec, src: str, out: str) -> list[str]:
    """Copy the streams of [start, end) into MP4; audio MP4 cannot carry is re-encoded to AAC."""
    inp, seconds = _input(spec, src, _SEEK_PAST_KEYFRAME)
    streams = [inp["v:0"]] + ([inp["a:0"]] if spec.source.has_audio else [])
    kwargs = {"c:v": "copy"}
    if spec.end < spec.source.duration - 1e-3:  # the last piece copies to the end of the file
        kwargs["t"] = f"{seconds - spec.source.decode_lead - _STOP_BEFORE_DECODE:.6f}"
    kwargs.update({
        "avoid_negative_ts": "make_zero",
        "movflags": "+faststart",
        "map_metadata": "-1",
    })
    if spec.source.has_audio:
        if V.can_copy_audio_into_mp4(spec.source):
            kwargs["c:a"] = "copy"
        else:
            kwargs.update({"c:a": "aac", "b:a": str(spec.transcode.audio_bitrate or 64_000)})
    return _compile(ffmpeg.output(*streams, out, format="mp4", **kwargs))


def transcode_command(spec: ClipSpec, src: str, out: str, settings: TranscodeSettings,
                      threads: int = 0) -> list[str]:
    """Decode [start, end) exactly and encode it once to H.264/AAC MP4 at `settings`."""
    inp, seconds = _input(spec, src, 0.0)
    video = inp["v:0"]
    source_height = spec.source.width if spec.source.rotation in (90, 270) else spec.source.height
    if settings.height < source_height:
        video = video.filter("scale", -2, settings.height)
    if spec.source.fps > settings.fps_cap:
        video = video.filter("fps", settings.fps_cap)
    streams = [video] + ([inp["a:0"]] if spec.source.has_audio else [])
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
        "threads": str(threads),
    }
    if spec.source.has_audio:
        kwargs.update({"c:a": "aac", "b:a": str(settings.audio_bitrate), "ac": "2"})
    return _compile(ffmpeg.output(*streams, out, format="mp4", **kwargs))


def _compile(stream) -> list[str]:
    # Global options go first: ffmpeg warns about options that trail the output file.
    binary, *rest = stream.compile(cmd=ffmpeg_binary())
    return [binary, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *(os.fspath(a) for a in rest)]


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
