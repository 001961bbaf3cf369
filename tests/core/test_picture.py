"""Display aspect and output size: square pixels, even sides, the source's aspect within 1%."""
from __future__ import annotations

import dataclasses

import pytest

from transforms.core.picture import display_aspect, display_size, output_size
from transforms.core.types import VideoInfo

BASE = VideoInfo(uri="/v/a", size_bytes=1, container="mp4", duration=10.0, video_codec="h264", width=320,
                 height=240, fps=25.0, rotation=0, has_audio=False, audio_codec="", input_offset=0.0)


def info(width, height, sar=(1, 1), rotation=0) -> VideoInfo:
    return dataclasses.replace(BASE, width=width, height=height, sar=sar, rotation=rotation)


@pytest.mark.parametrize("source, aspect", [
    (info(720, 576, (64, 45)), 16 / 9),            # anamorphic PAL 16:9
    (info(720, 576, (16, 15)), 4 / 3),             # PAL 4:3
    (info(720, 480, (8, 9)), 4 / 3),               # NTSC DVD 4:3
    (info(352, 288, (45, 34)), 352 * 45 / 34 / 288),
    (info(320, 240, (240, 169)), 320 * 240 / 169 / 240),
    (info(640, 480, (1215, 1216)), 640 * 1215 / 1216 / 480),
    (info(1366, 767), 1366 / 767),                 # an odd-sized screen recording
    (info(1920, 1080, rotation=90), 1080 / 1920),  # a portrait phone video
    (info(1920, 1080, rotation=270), 1080 / 1920),
    (info(480, 360, (4, 3), rotation=90), 360 / 640),  # rotation turns the stretched picture
])
def test_display_aspect_is_sar_times_width_over_height_after_rotation(source, aspect):
    assert display_aspect(source) == pytest.approx(aspect, rel=1e-9)


@pytest.mark.parametrize("source", [
    info(720, 576, (64, 45)), info(720, 480, (8, 9)), info(352, 288, (45, 34)), info(320, 240, (240, 169)),
    info(640, 480, (1215, 1216)), info(1366, 767), info(1366, 767, rotation=90), info(1920, 1080, rotation=270),
    info(480, 360, (4, 3), rotation=90), info(176, 144, (128, 117)), info(3840, 2160), info(101, 57),
])
@pytest.mark.parametrize("height", [144, 240, 360, 480, 720, 1080])
def test_output_is_even_at_most_the_height_and_within_one_percent(source, height):
    w, h = output_size(source, height)
    assert w % 2 == 0 and h % 2 == 0
    assert h <= height and h <= display_size(source)[1]
    assert abs(w / h - display_aspect(source)) / display_aspect(source) <= 0.01


def test_output_keeps_the_height_when_it_can():
    assert output_size(info(720, 576, (64, 45)), 480) == (854, 480)
    assert output_size(info(720, 576, (64, 45)), 720) == (1024, 576)  # never taller than the picture
    assert output_size(info(1366, 767), 1080) == (1364, 766)          # odd height made even, aspect kept
    assert output_size(info(1920, 1080, rotation=90), 480) == (270, 480)
