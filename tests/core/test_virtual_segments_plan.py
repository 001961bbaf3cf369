"""--segments virtual planning, the videoMetadata it writes, and ffmpeg's thread share. Pure."""
from __future__ import annotations

import json

import pytest

from transforms.stages.cut import ffmpeg_threads
from transforms.gemini.examples import example_line
from transforms.gemini.limits import default_limits
from transforms.core.planner import plan_segment
from transforms.core.types import Action, VideoInfo

LIMITS = default_limits("MEDIUM")


def _info(**changes) -> VideoInfo:
    base = dict(uri="/videos/lecture.mp4", size_bytes=40_000_000, container="mp4", duration=1290.0,
                video_codec="h264", width=320, height=240, fps=10.0, rotation=0, has_audio=True,
                audio_codec="aac", input_offset=0.0, keyframes=tuple(float(k) for k in range(0, 1290, 6)),
                identity="40000000-1")
    base.update(changes)
    return VideoInfo(**base)


def test_a_too_long_compliant_source_becomes_offsets_into_one_copy():
    clips = plan_segment(_info(), "k", 0.0, 1290.0, [(296.0, 305.0)], LIMITS, virtual=True)
    assert {c.action for c in clips} == {Action.VIRTUAL}
    assert len({c.media_name for c in clips}) == 1
    assert clips[0].media_name.endswith(".mp4")
    assert clips[0].start == 0 and clips[-1].end == 1290.0
    assert all(b.start == a.end for a, b in zip(clips, clips[1:]))
    assert all(c.end - c.start <= LIMITS.planned_clip_seconds for c in clips)


def test_virtual_bounds_need_no_keyframe():
    clips = plan_segment(_info(keyframes=(0.0,)), "k", 0.0, 1290.0, [], LIMITS, virtual=True)
    assert {c.action for c in clips} == {Action.VIRTUAL}
    assert len(clips) == 5


def test_a_segment_of_a_short_compliant_source_is_an_offset_too():
    clips = plan_segment(_info(duration=200.0), "k", 50.0, 120.0, [], LIMITS, virtual=True)
    assert [(c.action, c.start, c.end) for c in clips] == [(Action.VIRTUAL, 50.0, 120.0)]


@pytest.mark.parametrize("changes, expected", [
    ({"size_bytes": 150_000_000}, Action.CUT),              # over the size limit: cut into pieces that fit
    ({"container": "matroska"}, Action.CUT),                # not a container the service takes: cut
    ({"rotation": 90}, Action.TRANSCODE),                   # rotation must be baked in
    ({"input_offset": 1.4, "container": "mp4"}, Action.CUT),  # offsets would be ambiguous
])
def test_sources_that_cannot_be_referenced_as_they_are_fall_back(changes, expected):
    clips = plan_segment(_info(**changes), "k", 0.0, 1290.0, [], LIMITS, virtual=True)
    assert {c.action for c in clips} == {expected}


def test_without_the_flag_nothing_changes():
    clips = plan_segment(_info(), "k", 0.0, 1290.0, [], LIMITS)
    assert {c.action for c in clips} == {Action.CUT}


def test_example_line_carries_offsets_as_protobuf_durations():
    line = json.loads(example_line("gs://b/m.mp4", "video/mp4", "p", "a", "LOW", offsets=(258.0, 516.04)))
    part = line["contents"][0]["parts"][0]
    assert part["videoMetadata"] == {"startOffset": "258s", "endOffset": "516.040s"}
    assert part["fileData"] == {"fileUri": "gs://b/m.mp4", "mimeType": "video/mp4"}
    assert "videoMetadata" not in json.loads(example_line("u", "video/mp4", "p", "a", "LOW"))["contents"][0]["parts"][0]


@pytest.mark.parametrize("cores, workers, runner, expected", [
    (2, 2, "DirectRunner", 2), (8, 2, "DirectRunner", 8), (2, 4, "DirectRunner", 2),
    (4, 1, None, 4), (4, 2, "DataflowRunner", 0), (4, None, "DirectRunner", 0),
])
def test_ffmpeg_threads_let_a_local_encode_use_every_core(cores, workers, runner, expected):
    assert ffmpeg_threads(cores, workers, runner) == expected
