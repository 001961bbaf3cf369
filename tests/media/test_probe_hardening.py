"""The probe, out of process, on broken and hostile files: each one a drop code, never a crash."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests import bad_inputs as B
from transforms.media import sandbox
from transforms.media.ffmpeg_commands import ffmpeg_binary
from transforms.stages.probe import ProbeError, classify_child_failure, probe_media_file, probe_timeout_for
from transforms.core.types import DropReason as R


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return str(tmp_path_factory.mktemp("bad-media"))


@pytest.fixture(scope="module")
def canary(folder):
    return B.make_canary(folder)


def _reason(path: str) -> tuple[R, str]:
    with pytest.raises(ProbeError) as caught:
        probe_media_file(path, 30)
    return caught.value.reason, caught.value.detail


@pytest.mark.parametrize("make, reason", [
    (B.make_zero_byte, R.UNREADABLE_MEDIA),
    (B.make_text_named_mp4, R.UNREADABLE_MEDIA),
    (B.make_truncated_in_first_frame, R.UNREADABLE_MEDIA),
    (B.make_no_moov, R.UNREADABLE_MEDIA),
    (B.make_audio_only, R.NO_VIDEO_STREAM),
    (B.make_unknown_codec, R.UNSUPPORTED_CODEC),
    (B.make_huge_frame, R.BAD_FRAME_SIZE),
    (B.make_absurd_duration, R.IMPLAUSIBLE_DURATION),
    (B.make_many_streams, R.TOO_MANY_STREAMS),
    (B.make_unaccepted_container, R.UNSUPPORTED_FORMAT),
])
def test_broken_media_is_one_drop_code(folder, make, reason):
    assert _reason(make(folder))[0] is reason


def test_a_frame_size_ffmpeg_still_accepts_is_capped_before_decoding(folder):
    # 16384x8192 is under FFmpeg's own pixel limit, so only our cap stands between it and a decoder.
    reason, detail = _reason(B.make_huge_frame(folder, 16384, 8192, "wide_frame.avi"))
    assert reason is R.BAD_FRAME_SIZE and "16384x8192" in detail


@pytest.mark.parametrize("make", [
    lambda f, v, t: B.make_hls_named_mp4(f, v, t),
    lambda f, v, t: B.make_hls_named_mp4(f, v, t, name="playlist.m3u8"),
    lambda f, v, t: B.make_concat_script_named_mp4(f, v),
    lambda f, v, t: B.make_concat_protocol_named_mp4(f, v, t),
    lambda f, v, t: B.make_avi_with_embedded_playlist(f, v, t),
], ids=["hls-as-mp4", "hls-m3u8", "ffconcat", "concat-protocol", "playlist-in-avi"])
def test_files_that_reference_other_files_are_hostile(folder, canary, make):
    video, text, _ = canary
    reason, detail = _reason(make(folder, video, text))
    assert reason is R.HOSTILE_MEDIA, detail


def test_the_canary_itself_probes_as_a_video(canary):
    # The hostile files above are refused for what they are, not because their target is unreadable.
    assert probe_media_file(canary[0], 30)["width"] == 64


def test_a_probe_over_its_time_is_killed_and_dropped(canary):
    with pytest.raises(ProbeError) as caught:
        probe_media_file(canary[0], 0.01)  # no child can start Python and PyAV in 10 ms
    assert caught.value.reason is R.PROBE_TIMEOUT


def test_probe_timeout_grows_with_the_file():
    assert probe_timeout_for(120, 0) == 120
    assert probe_timeout_for(120, 2_500_000_000) == pytest.approx(220)


def test_a_child_killed_by_a_signal_is_a_crash_drop():
    done = subprocess.run([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"],
                          capture_output=True)
    reason, detail = classify_child_failure(done.returncode, done.stderr.decode())
    assert reason is R.PROBE_CRASHED and "SIGSEGV" in detail


def test_a_child_over_its_memory_cap_fails_and_is_a_crash_drop():
    done = subprocess.run(sandbox.limited([sys.executable, "-c", "x = bytearray(3 * 1024 ** 3)"],
                                          memory_bytes=1024 ** 3), capture_output=True)
    assert done.returncode != 0
    reason, _ = classify_child_failure(done.returncode, done.stderr.decode())
    assert reason is R.PROBE_CRASHED


def test_ffmpeg_under_the_memory_cap_fails_on_a_huge_frame_but_runs_small_ones():
    def run(size: str) -> subprocess.CompletedProcess:
        return subprocess.run(sandbox.limited(
            [ffmpeg_binary(), "-nostdin", "-v", "error", "-f", "lavfi", "-i", f"color=s={size}:d=0.2:r=5",
             "-vf", "format=rgba64le", "-f", "null", "-"], memory_bytes=1024 ** 3), capture_output=True)
    assert run("64x64").returncode == 0
    assert run("8192x8192").returncode != 0  # a frame is 512 MB and the filters hold several: over the 1 GiB cap


def test_the_gab2_file_really_hands_its_playlist_to_a_nested_demuxer(folder, canary):
    # Checks the CVE-2017-9993 file is the real shape: FFmpeg's AVI demuxer probes the GAB2 packet
    # as HLS (today's FFmpeg then refuses it by its extension; we refuse the file before that).
    video, text, _ = canary
    path = B.make_avi_with_embedded_playlist(folder, video)
    done = subprocess.run([ffmpeg_binary(), "-hide_banner", "-i", path], capture_output=True)
    assert b"m3u8/hls" in done.stderr
