"""The timeline kinds from edit lists, and the checks of what we write: pure, on hand-made tracks."""
import pytest

from transforms.media.mp4_edits import Edit, Track
from transforms.media.timeline_probe import (skipped_before_first_keyframe, timeline_kind, written_audio_problem,
                                             written_timeline_problem)


def video(*edits):
    return Track("vide", 12800, tuple(edits))


def sound(*edits):
    return Track("soun", 48000, tuple(edits))


BFRAMES = Edit(10.0, 0.08)  # what FFmpeg writes for two B-frames of composition delay
PRIMING = Edit(10.0, 1024 / 48000)


def test_what_ffmpeg_writes_is_plain():
    assert timeline_kind([video(BFRAMES), sound(PRIMING)], 0.0, 0.0, 0, first_dts=-0.08) == "plain"
    assert written_timeline_problem([video(BFRAMES), sound(PRIMING)], 0.0, 0, first_dts=-0.08) is None
    assert written_audio_problem([video(BFRAMES), sound(PRIMING)]) is None


@pytest.mark.parametrize("tracks, start, hidden, first_dts, kind", [
    ([video(Edit(8.7, 1.3))], 0.0, 33, -1.3, "trimmed"),                     # -ss 3.3 -c copy
    ([video(Edit(8.0, 2.08))], 0.0, 0, -0.08, "trimmed"),                    # whole GOPs skipped
    ([video(Edit(2.0, -1.0), Edit(30.0, 0.0))], 2.0, 0, 2.0, "delayed"),     # -itsoffset 2
    ([video(Edit(5.0, 0.0), Edit(5.0, 9.0))], 0.0, 0, 0.0, "edited"),
    ([video(Edit(5.0, 0.0, rate=2.0))], 0.0, 0, 0.0, "edited"),
    ([], 1.4, 0, 1.32, "offset"),                                            # MPEG-TS
])
def test_kinds(tracks, start, hidden, first_dts, kind):
    assert timeline_kind(tracks, start, start, hidden, first_dts=first_dts) == kind


def test_a_jumping_clock_wins():
    assert timeline_kind([], 101.4, 101.4, 0, clock_jumps=1) == "discontinuous"


def test_whole_gops_left_out_are_measured():
    assert skipped_before_first_keyframe(video(Edit(8.0, 2.08)), -0.08) == pytest.approx(2.0)
    assert skipped_before_first_keyframe(video(Edit(2.0, -1.0), Edit(30.0, 0.0)), 2.0) == 0.0


@pytest.mark.parametrize("tracks, start, hidden, first_dts, words", [
    ([video(Edit(0.08, -1.0), BFRAMES)], 0.08, 0, 0.0, "empty edit"),
    ([video(Edit(8.0, 1.4))], 0.0, 33, -1.4, "hides 33 frames"),
    ([video(Edit(8.0, 2.08))], 0.0, 0, -0.08, "skips 2.000s"),
    ([video()], 0.5, 0, 0.42, "first frame is at 0.500s"),
])
def test_written_problems(tracks, start, hidden, first_dts, words):
    assert words in written_timeline_problem(tracks, start, hidden, first_dts)


def test_sound_that_starts_late_or_skips_much_is_a_problem():
    assert "late" in written_audio_problem([sound(Edit(0.013, -1.0), Edit(5.0, 0.0))])
    assert "skips 2.072s" in written_audio_problem([sound(Edit(5.0, 2.072))])
