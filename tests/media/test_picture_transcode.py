"""The transcode command on real-world pictures: deinterlaced (idet finds no combing), HDR mapped
to SDR (colours right, not washed out), square pixels at the display aspect. Each with a control
made the same way without the step, so that the check is shown to catch the problem."""
from __future__ import annotations

import dataclasses
import os
import subprocess

import pytest

from tests import footage_picture as F
from tests.camera_footage import camera_clip
from tests.conftest import CORPUS_ROOT
from tests.media_checks import FrameReader, colour_name
from tests.output_checks import combed_share, picture
from transforms.core.planner import plan_segment
from transforms.core.types import VideoInfo
from transforms.gemini.limits import default_limits
from transforms.media.ffmpeg_commands import transcode_command, video_filters
from transforms.media.video_info import video_info
from transforms.stages.probe import probe_media_file

CASES = {case.row_id: case for case in F.CASES}


@pytest.fixture(scope="module")
def folder():
    return os.path.join(CORPUS_ROOT, "picture-media")


def _source(folder: str, row_id: str) -> tuple[str, VideoInfo]:
    case = CASES[row_id]
    path = F.make(folder, case, camera_clip(os.path.join(CORPUS_ROOT, "camera")) if case.camera else None)
    return path, video_info(probe_media_file(path, 60), path, "test")


def _transcode(path: str, info: VideoInfo, out: str, resolution: str = "LOW") -> str:
    spec = plan_segment(info, "k", 0.0, info.duration, [], default_limits(resolution))[0]
    spec = dataclasses.replace(spec, source=info)
    subprocess.run(transcode_command(spec, path, out, spec.transcode), check=True)
    return out


@pytest.mark.parametrize("row_id", ["camcorder_ntsc", "dvd_ntsc"])
def test_interlaced_sources_come_out_without_combing(folder, tmp_path, row_id):
    path, info = _source(folder, row_id)
    assert info.interlaced
    assert combed_share(path) > 0.4  # the source really is combed (its flat colour events are not judged)
    out = _transcode(path, info, str(tmp_path / "out.mp4"))
    assert picture(out).height == 480  # not resized: combing would survive the scale
    assert combed_share(out) <= 0.05
    # Control: the same transcode without the deinterlacer is combed, so idet can see it here.
    control = _transcode(path, dataclasses.replace(info, interlaced=False), str(tmp_path / "control.mp4"))
    assert combed_share(control) > 0.3


@pytest.mark.parametrize("row_id", ["phone_hdr_pq", "phone_hdr_hlg"])
def test_hdr_is_tone_mapped_to_bt709(folder, tmp_path, row_id):
    path, info = _source(folder, row_id)
    assert info.color_transfer in ("smpte2084", "arib-std-b67") and info.bit_depth == 10
    out = _transcode(path, info, str(tmp_path / "out.mp4"))
    found = picture(out)
    assert (found.codec, found.pix_fmt) == ("h264", "yuv420p")
    reader = FrameReader(out)
    assert colour_name(reader.colour_at(1.0), tolerance=30) == "background"
    assert colour_name(reader.colour_at(3.0)) == "red"
    assert colour_name(reader.colour_at(7.0)) == "blue"
    # Control: bit depth reduced alone, the picture is washed out and the red is not red.
    control = _transcode(path, dataclasses.replace(info, color_transfer=""), str(tmp_path / "control.mp4"))
    washed = FrameReader(control)
    assert colour_name(washed.colour_at(3.0)) != "red"


@pytest.mark.parametrize("row_id, resolution, size", [
    ("broadcast_pal", "LOW", (854, 480)), ("broadcast_pal", "MEDIUM", (1024, 576)),
    ("sar_45_34", "LOW", (466, 288)), ("phone_90_anamorphic", "LOW", (270, 480)),
    ("screen_444", "LOW", (854, 480)), ("screen_444", "MEDIUM", (1282, 720)),
])
def test_square_pixels_at_the_display_aspect(folder, tmp_path, row_id, resolution, size):
    path, info = _source(folder, row_id)
    out = _transcode(path, info, str(tmp_path / "out.mp4"), resolution)
    found = picture(out)
    assert ((found.width, found.height), found.sar, found.rotation) == (size, 1, 0)


def test_filters_run_in_order():
    info = VideoInfo(uri="/v/a.ts", size_bytes=1, container="mpegts", duration=10.0, video_codec="mpeg2video",
                     width=720, height=576, fps=50.0, rotation=0, has_audio=False, audio_codec="",
                     input_offset=0.0, interlaced=True, sar=(64, 45), color_transfer="arib-std-b67")
    capped = dataclasses.replace(default_limits("LOW"), fps_cap=30.0)  # as --max_output_fps 30 asks
    spec = plan_segment(info, "k", 0.0, 10.0, [], capped)[0]
    names = [name for name, _, _ in video_filters(info, spec.transcode)]
    assert names[:3] == ["bwdif", "scale", "setsar"]  # fields are woven back before any resize
    assert names[3:-1] == ["zscale", "format", "zscale", "tonemap", "zscale", "format"]
    assert names[-1] == "fps"


def test_a_transcode_keeps_the_source_rate_unless_a_cap_is_asked():
    info = VideoInfo(uri="/v/a.mp4", size_bytes=1, container="mp4", duration=10.0, video_codec="hevc",
                     width=1920, height=1080, fps=60.0, rotation=0, has_audio=False, audio_codec="",
                     input_offset=0.0)
    default = plan_segment(info, "k", 0.0, 10.0, [], default_limits("LOW"))[0]
    assert "fps" not in [name for name, _, _ in video_filters(info, default.transcode)]
    capped = plan_segment(info, "k", 0.0, 10.0, [], dataclasses.replace(default_limits("LOW"), fps_cap=24.0))[0]
    assert ("fps", (24.0,), {}) in video_filters(info, capped.transcode)
