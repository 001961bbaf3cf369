"""ffmpeg as the cut stage runs it: one local file, whitelisted demuxers, a memory cap; disk full raises."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests import bad_inputs as B
from transforms.media import sandbox
from transforms.stages.cut import ClipError, _CutFn
from transforms.media.ffmpeg_commands import ffmpeg_binary, stream_copy_command, transcode_command
from transforms.gemini.limits import default_limits
from transforms.core.types import Action, ClipSpec, TranscodeSettings, VideoInfo


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("hostile-cut"))
    video, text, secret = B.make_canary(folder)
    with open(video, "rb") as handle:
        canary_bytes = handle.read()
    playlist = B.make_hls_named_mp4(folder, video, name="playlist.m3u8")
    return folder, playlist, canary_bytes, secret


def _spec(path: str, container: str) -> ClipSpec:
    source = VideoInfo(uri=path, size_bytes=os.path.getsize(path), container=container, duration=2.0,
                       video_codec="h264", width=64, height=48, fps=10.0, rotation=0, has_audio=False,
                       audio_codec="", input_offset=0.0)
    return ClipSpec(source=source, segment_key=f"{path}||", clip_index=0, clip_count=1, start=0.0, end=2.0,
                    action=Action.TRANSCODE, transcode=TranscodeSettings(200_000, 64_000, 48, 30.0),
                    media_name="x.mp4")


def _leaked(out: str) -> bool:
    # The playlist holds nothing but the canary: any output at all is the canary's.
    return os.path.exists(out) and os.path.getsize(out) > 0


def test_without_our_input_options_this_ffmpeg_follows_the_playlist(hostile, tmp_path):
    # The control: the exploit is real in the ffmpeg we ship, so the tests below can fail.
    _, playlist, _, _ = hostile
    out = str(tmp_path / "leak.mp4")
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-i", playlist, "-c", "copy", out],
                   capture_output=True)
    assert _leaked(out)


@pytest.mark.parametrize("container", ["mp4", "hls", "matroska"])
@pytest.mark.parametrize("build", ["copy", "transcode"])
def test_our_commands_refuse_the_playlist_and_write_nothing(hostile, tmp_path, container, build):
    folder, playlist, canary_bytes, secret = hostile
    spec = _spec(playlist, container)
    out = str(tmp_path / "clip.mp4")
    command = stream_copy_command(spec, playlist, out) if build == "copy" else \
        transcode_command(spec, playlist, out, spec.transcode)
    assert "-protocol_whitelist" in command and "-format_whitelist" in command
    fn = _CutFn(str(tmp_path / "media"), default_limits(), 4.0)
    with pytest.raises(ClipError) as caught:
        fn._run(command, spec)
    assert "ffmpeg failed" in caught.value.detail
    assert not _leaked(out)


def test_disk_full_while_cutting_raises_for_a_retry(tmp_path):
    source = os.path.join(str(tmp_path), "ok.mp4")
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=2",
                    "-c:v", "libx264", source], check=True)
    spec = _spec(source, "mp4")
    command = transcode_command(spec, source, "/dev/full", spec.transcode)  # every write: ENOSPC
    fn = _CutFn(str(tmp_path / "media"), default_limits(), 4.0)
    with pytest.raises(OSError, match="disk full"):
        fn._run(command, spec)


def test_the_launcher_caps_memory_and_still_runs_the_tool():
    done = subprocess.run(sandbox.limited([ffmpeg_binary(), "-version"], 512 * 1024 ** 2), capture_output=True)
    assert done.returncode == 0 and b"ffmpeg version" in done.stdout
    assert sandbox.describe_exit(-11) == "killed by SIGSEGV"


def test_mov_inputs_are_opened_without_external_data_references(tmp_path):
    (tmp_path / "in.mp4").write_bytes(b"")  # only the command is built here
    spec = _spec(str(tmp_path / "in.mp4"), "mp4")
    command = stream_copy_command(spec, spec.source.uri, str(tmp_path / "out.mp4"))
    at = command.index("-i")
    assert command[command.index("-enable_drefs") + 1] == "0" and command.index("-enable_drefs") < at
    assert command[command.index("-f") + 1] == "mov" and command.index("-f") < at
    assert command[command.index("-protocol_whitelist") + 1] == "file"


def test_a_cutter_killed_by_a_signal_is_a_clip_drop(tmp_path):
    source = str(tmp_path / "in.mp4")
    open(source, "wb").close()
    spec = _spec(source, "mp4")
    fn = _CutFn(str(tmp_path / "media"), default_limits(), 4.0)
    crash = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]
    with pytest.raises(ClipError, match="killed by SIGSEGV"):
        fn._run(crash, spec)  # run through the same memory-capped launcher as ffmpeg
