import pytest

from transforms.core.ts_discontinuity import Corrector


def feed(packets):
    corrector = Corrector()
    return [corrector.correct(*p) for p in packets], corrector


def test_a_steady_clock_is_left_alone():
    out, corrector = feed([(0, 100 + i * 0.04, 100.08 + i * 0.04, 0.04) for i in range(50)])
    assert corrector.jumps == 0
    assert out[10] == pytest.approx((100.4, 100.48))


def test_a_jump_forward_continues_from_the_frame_before_on_every_stream():
    video = [(0, 100 + i * 0.04, 100 + i * 0.04, 0.04) for i in range(25)]      # to 100.96
    audio = [(1, 100 + i * 0.023, 100 + i * 0.023, 0.023) for i in range(43)]
    later = [(0, 5000.0, 5000.0, 0.04), (1, 5000.01, 5000.01, 0.023), (0, 5000.04, 5000.04, 0.04)]
    out, corrector = feed(video + audio + later)
    assert corrector.jumps == 1
    # The video stream saw the jump first: its next frame is where it was expected.
    assert out[len(video) + len(audio)][0] == pytest.approx(101.0)
    assert out[-1][0] == pytest.approx(101.04)
    assert out[-2][0] == pytest.approx(101.01)  # the sound moved by the same amount


def test_a_jump_backwards_is_corrected_too():
    out, corrector = feed([(0, 50.0, 50.0, 0.04), (0, 50.04, 50.04, 0.04), (0, 3.0, 3.0, 0.04)])
    assert corrector.jumps == 1 and out[-1][0] == pytest.approx(50.08)


def test_small_irregularities_are_not_jumps():
    out, corrector = feed([(0, 0.0, 0.0, 0.04), (0, 5.0, 5.0, 0.04), (0, 5.02, 5.02, 0.04)])
    assert corrector.jumps == 0 and out[1][0] == 5.0
