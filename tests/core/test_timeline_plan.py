"""What the planner does with each kind of source timeline (transforms/media/timeline_probe.py)."""

import pytest

from tests.core.test_planner import LOW, MEDIUM, assert_well_formed, every, row, video
from transforms.core.planner import plan_segment, plan_video, virtual_segments_fit
from transforms.core.types import Action

SHORT = dict(duration=200.0, keyframes=every(2, 200))
# `ffmpeg -ss 3.3 -c copy` at 25 fps: the first frame shown is 1.32 s after the hidden keyframe.
TRIMMED = dict(duration=596.68, keyframes=tuple(0.68 + k for k in every(2, 596)), timeline="trimmed")


def actions(clips):
    return [c.action for c in clips]


def test_a_plain_source_is_copied():
    assert actions(plan_video(video(**SHORT), [row()], LOW).clips) == [Action.COPY]


@pytest.mark.parametrize("timeline, offset", [("delayed", 2.0), ("delayed", 0.0), ("offset", 1.4), ("plain", 0.5)])
def test_an_empty_edit_or_an_offset_start_is_remuxed_not_copied(timeline, offset):
    info = video(timeline=timeline, input_offset=offset, **SHORT)
    assert actions(plan_video(info, [row()], LOW).clips) == [Action.REMUX]
    assert not virtual_segments_fit(info, LOW)


def test_sound_that_starts_late_is_not_copied():
    info = video(audio_lag=0.3, **SHORT)
    assert actions(plan_video(info, [row()], LOW).clips) == [Action.REMUX]


def test_a_trimmed_start_has_its_first_clip_encoded_and_the_rest_copied():
    info = video(**TRIMMED)
    clips = plan_video(info, [row()], MEDIUM).clips
    assert_well_formed(clips, MEDIUM)
    assert clips[0].start == 0.0 and clips[0].action is Action.TRANSCODE
    assert set(actions(clips[1:])) == {Action.CUT}
    assert all(c.start in info.keyframes for c in clips[1:])  # copies start on shown keyframes
    assert clips[-1].end == info.duration
    # The encoded clip has its own name: it is not the copy the same bounds would make.
    assert len({c.media_name for c in clips}) == len(clips)


def test_a_trimmed_start_that_fits_one_clip_is_encoded_whole():
    info = video(**dict(TRIMMED, duration=196.68, keyframes=tuple(0.68 + k for k in every(2, 196))))
    assert actions(plan_video(info, [row()], LOW).clips) == [Action.TRANSCODE]


def test_a_segment_after_the_trimmed_start_is_copied_from_its_keyframe():
    info = video(**TRIMMED)
    clips = plan_segment(info, "k", 100.0, 180.0, [], MEDIUM)
    assert actions(clips) == [Action.CUT] and clips[0].start == pytest.approx(98.68)


def test_an_edited_source_is_transcoded():
    info = video(timeline="edited", **SHORT)
    assert actions(plan_video(info, [row()], LOW).clips) == [Action.TRANSCODE]


def test_a_decoding_cut_starts_on_a_real_frame_of_a_variable_rate():
    from transforms.core.cut_policy import transcoded_start
    from transforms.core.frame_runs import runs_of
    # 30 fps, then nothing from 20 s to 20.8 s (a phone's stall), then 10 fps.
    times = [i / 30 for i in range(600)] + [20.8 + i / 10 for i in range(92)]
    info = video(rotation=90, duration=30.0, keyframes=every(2, 20) + (20.8,), frame_runs=runs_of(times))
    (clip,) = plan_segment(info, "k", 20.3, 29.0, [], LOW)
    assert clip.action is Action.TRANSCODE
    assert clip.start == pytest.approx(20.8) and clip.start_on_frame
    assert transcoded_start(clip) == pytest.approx(20.8)  # not ceil(20.3 * fps) / fps
