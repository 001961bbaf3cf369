"""A transcode's sound: a phone's AAC is copied byte for byte when the clip starts at the first
frame, and encoded when it starts later; either way it starts with the picture (checked by
decoding the written clip, tests/strict_events.py)."""
from __future__ import annotations

import dataclasses
import subprocess

import av
import pytest

from tests.strict_events import one_timeline_problems
from transforms.core.planner import plan_segment
from transforms.core.types import Action
from transforms.gemini.limits import default_limits
from transforms.media.ffmpeg_commands import ffmpeg_binary, transcode_command
from transforms.media.video_info import video_info
from transforms.stages.probe import probe_media_file


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def phone_clip(tmp_path_factory) -> str:
    """What a phone held upright writes: H.264 High with rotation metadata, 48 kHz stereo AAC
    (its priming samples behind an edit), a keyframe a second."""
    folder = tmp_path_factory.mktemp("phone")
    plain, rotated = str(folder / "plain.mp4"), str(folder / "portrait.mp4")
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=30:d=8", "-f", "lavfi",
            "-i", "sine=f=440:sample_rate=48000:d=8", "-ac", "2", "-c:v", "libx264", "-profile:v", "high",
            "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", plain)
    _ffmpeg("-display_rotation:v:0", "90", "-i", plain, "-c", "copy", rotated)
    return rotated


def _audio_packets(path: str) -> list[bytes]:
    with av.open(path) as container:
        return [bytes(p) for p in container.demux(container.streams.audio[0]) if p.size]


def _made(path: str, start: float, out: str):
    info = video_info(probe_media_file(path, 60), path, "test")
    (spec,) = plan_segment(info, "k", start, info.duration, [], default_limits("MEDIUM"))
    assert spec.action is Action.TRANSCODE  # the rotation is turned into the pixels
    subprocess.run(transcode_command(dataclasses.replace(spec, source=info), path, out, spec.transcode), check=True)
    return spec


def test_a_transcode_from_the_first_frame_copies_the_aac_sound_byte_for_byte(phone_clip, tmp_path):
    out = str(tmp_path / "whole.mp4")
    spec = _made(phone_clip, 0.0, out)
    # 128 kb/s of sound (and the boxes): counted in the clip's budget instead of the 64 kb/s an encode takes
    assert 128_000 <= spec.transcode.copied_audio_bitrate < 140_000
    assert _audio_packets(out) == _audio_packets(phone_clip)
    assert one_timeline_problems(out) == []
    with av.open(out) as container:
        assert container.streams.video[0].codec_context.height == 640  # upright: 360x640


def test_a_transcode_that_starts_later_encodes_its_sound(phone_clip, tmp_path):
    out = str(tmp_path / "later.mp4")
    spec = _made(phone_clip, 3.0, out)
    assert spec.transcode.copied_audio_bitrate == 0
    written = _audio_packets(out)
    assert written and not set(written) & set(_audio_packets(phone_clip))  # encoded anew
    with av.open(out) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
    assert one_timeline_problems(out) == []
