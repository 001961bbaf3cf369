"""The probe's timeline against what FFmpeg's player path shows, frame by frame.

The bundled FFmpeg (imageio-ffmpeg) ships no ffprobe, so the reference is its `showinfo`
filter on a full decode (`ffmpeg -copyts -i F -map 0:v -fps_mode passthrough -vf showinfo -f null -`):
one line per frame a player shows, with its own timestamp and keyframe flag, after the demuxer
applied the edit lists (without `-copyts` for a jumping MPEG-TS clock, which ffmpeg then
corrects). The probe reads only the header of an MP4 (and one keyframe); both must agree on
the first frame shown, the number of frames, where the keyframes are and the length.
"""
from __future__ import annotations

import re
import subprocess

import pytest

from tests import footage_timeline as F
from transforms.media.ffmpeg_commands import ffmpeg_binary
from transforms.media.probe_media import probe

_FRAME = re.compile(r"n:\s*\d+\s+pts:\s*-?\d+\s+pts_time:(-?[\d.e+-]+)\s+duration:\s*\d+\s+duration_time:([\d.e+-]+).*?iskey:(\d)")


def shown_frames(path: str, copyts: bool = True) -> list[tuple[float, float, bool]]:
    """(time, duration, keyframe) of every frame FFmpeg shows; `copyts`: in the demuxer's own
    times (which also turns off ffmpeg's correction of clock jumps)."""
    done = subprocess.run([ffmpeg_binary(), "-hide_banner", "-nostdin", *(["-copyts"] if copyts else []),
                           "-i", path, "-map", "0:v",
                           "-fps_mode", "passthrough", "-vf", "showinfo", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    frames = [(float(m[1]), float(m[2]), m[3] == "1") for m in _FRAME.finditer(done.stderr)]
    assert frames, done.stderr[-2000:]
    return sorted(frames)


@pytest.fixture(scope="module")
def footage():
    folder = F.cache_folder()
    return {make.__name__: make(folder) for make in F.PROBE_REFERENCE_CASES}


@pytest.mark.parametrize("case", [make.__name__ for make in F.PROBE_REFERENCE_CASES])
def test_the_probe_sees_the_frames_a_player_shows(footage, case):
    path = footage[case].path
    found = probe(path)
    assert "error" not in found, found
    jumps = case == "ts_discontinuity"  # ffmpeg corrects a jumping clock only without -copyts
    frames = shown_frames(path, copyts=not jumps)
    first = frames[0][0]
    if not jumps:
        assert found["video_start"] == pytest.approx(first, abs=1e-3)
    assert found["frames"] == len(frames)
    # Keyframes: the shown ones, counted from the first frame shown.
    assert found["keyframes"] == pytest.approx([t - first for t, _, key in frames if key], abs=1e-3)
    end = max(t + d for t, d, _ in frames)
    assert found["duration"] == pytest.approx(end - first, abs=1e-3)


def test_the_trimmed_start_hides_frames_and_is_classified(footage):
    found = probe(footage["trimmed"].path)
    assert found["timeline"] == "trimmed" and found["hidden_frames"] > 0
    assert found["keyframes"][0] > 0  # the first frame shown is not a keyframe


@pytest.mark.parametrize("case, kind", [("delayed", "delayed"), ("delayed_whole", "delayed"),
                                        ("aac_priming", "plain"), ("phone_vfr", "plain"), ("ts_wrap", "offset"),
                                        ("ts_late_start", "offset"), ("ts_discontinuity", "discontinuous")])
def test_edit_list_kinds(footage, case, kind):
    assert probe(footage[case].path)["timeline"] == kind


def test_a_phone_keeps_every_frame_time(footage):
    from transforms.core.frame_runs import frame_times
    found = probe(footage["phone_vfr"].path)
    frames = shown_frames(footage["phone_vfr"].path)
    assert frame_times(found["frame_runs"]) == pytest.approx([t - frames[0][0] for t, _, _ in frames], abs=1e-3)
    assert len(found["frame_runs"]) < found["frames"] / 10  # runs, not one entry per frame


def test_open_gops_are_found(footage):
    found = probe(footage["long_open_gop"].path)
    assert found["open_keyframes"] == pytest.approx([12.0 * i for i in range(1, 8)], abs=1e-3)
    assert probe(footage["phone_vfr"].path)["open_keyframes"] == []
