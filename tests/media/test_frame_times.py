"""The probe's frame timestamps: the decoded frames' own times, on VFR video and other containers."""
from __future__ import annotations

import json
import os

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.vfr_media import decoded_frames, make_vfr_video
from transforms.core.frames import frame_count, frame_time, frame_times_from_probe
from transforms.core.manifest import parse_row
from transforms.media.probe_media import probe
from transforms.stages.probe import _ProbeFn


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return str(tmp_path_factory.mktemp("frame-times"))


def _assert_matches_decoded(path: str, raw: dict):
    times = frame_times_from_probe(raw)
    decoded = decoded_frames(path)
    assert frame_count(times) == len(decoded)
    for index in (0, 1, len(decoded) // 2, len(decoded) - 1):
        assert frame_time(times, index) == pytest.approx(decoded[index][0], abs=1e-6), index


def test_a_vfr_mp4s_frame_times_come_from_its_sample_table_and_match_the_decoded_frames(folder):
    path = make_vfr_video(folder, "vfr.mp4", 14, [Event(3, 5, "red")])
    raw = probe(path, frame_times=True)
    without = probe(path)
    assert "frame_times" not in without                    # asked for only by rows in frames
    assert raw["bytes_read"] == without["bytes_read"]      # the second pass reads the cached header
    assert len(raw["frame_times"]["runs"]) == 2            # 5 fps, then 30 fps
    _assert_matches_decoded(path, raw)


@pytest.mark.parametrize("name", ["clip.ts", "clip.mkv"])
def test_containers_read_whole_give_the_same_frame_times(folder, name):
    path = make_video(folder, VideoSpec(name=name, seconds=3, fps=25, audio=False))
    raw = probe(path, frame_times=True)
    assert raw["frame_times"]["runs"] == [[raw["frame_times"]["runs"][0][0], 74]]
    _assert_matches_decoded(path, raw)


def _rows(uri: str, frames: bool):
    annotation = {"start_frame": 3, "end_frame": 9} if frames else {"start": 1, "end": 2}
    return [parse_row({"id": "r", "video_uri": uri, "prompt": "p", "annotations": [annotation]}, "m:1", "/")]


def test_the_probe_stage_records_frame_times_only_for_sources_with_rows_in_frames_and_reprobes_the_cache(folder):
    path = make_video(folder, VideoSpec(name="cached.mp4", seconds=2, fps=10, audio=False))
    cache = os.path.join(folder, "_probe")
    fn = _ProbeFn(60, cache_dir=cache)
    fn.setup()
    try:
        info, _ = [o for o in fn.process((path, _rows(path, frames=False))) if isinstance(o, tuple)][0]
        assert info.frame_times is None
        (entry,) = os.listdir(cache)
        assert "frame_times" not in json.load(open(os.path.join(cache, entry)))
        # The same unchanged source, now with a row in frames: the cached probe lacks them, so it is read again.
        outputs = list(fn.process((path, _rows(path, frames=True))))
        info, _ = [o for o in outputs if isinstance(o, tuple)][0]
        assert frame_count(info.frame_times) == 20 and frame_time(info.frame_times, 10) == pytest.approx(1.0)
        assert not [o for o in outputs if not isinstance(o, tuple)][0].value.probe_reused
        assert "frame_times" in json.load(open(os.path.join(cache, entry)))
        reused = [o for o in fn.process((path, _rows(path, frames=True))) if not isinstance(o, tuple)][0]
        assert reused.value.probe_reused  # and kept for the next run
    finally:
        fn.teardown()
