import pytest

from transforms.core.frame_runs import first_at_or_after, frame_times, runs_of


def phone_times():
    """30 fps, then 15 fps, a stall of 0.8 s, then 10 fps: a phone in changing light."""
    times = [i / 30 for i in range(300)]                      # 0 .. 9.967
    times += [10 + i / 15 for i in range(150)]                # 10 .. 19.93
    times += [20.8 + i / 10 for i in range(50)]               # stall, then 20.8 .. 25.7
    return times


def test_runs_rebuild_every_frame_time():
    times = phone_times()
    runs = runs_of(times)
    assert len(runs) <= 5
    assert frame_times(runs) == pytest.approx(times, abs=1e-6)


def test_a_constant_rate_is_one_run():
    assert runs_of([i / 25 for i in range(1000)]) == ((0.0, 0.04, 1000),)


@pytest.mark.parametrize("t, expected", [(0.0, 0.0), (5.01, 5 + 1 / 30), (12.0, 12.0), (12.01, 12 + 1 / 15),
                                         (20.1, 20.8), (20.8, 20.8), (25.0, 25.0), (99.0, 25.7)])
def test_the_first_frame_at_or_after_a_time(t, expected):
    assert first_at_or_after(runs_of(phone_times()), t) == pytest.approx(expected, abs=1e-6)


def test_it_agrees_with_a_scan_of_every_frame():
    times = phone_times()
    runs = runs_of(times)
    for i in range(0, 2600):
        t = i / 100
        scan = next((f for f in times if f >= t - 1e-6), times[-1])
        assert first_at_or_after(runs, t) == pytest.approx(scan, abs=1e-6), t
