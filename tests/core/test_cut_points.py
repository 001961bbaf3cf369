import pytest

from transforms.core.cut_points import choose_cuts, grid_candidates, keyframe_candidates


def clips(bounds):
    return [b - a for a, b in zip(bounds, bounds[1:])]


# ---------------------------------------------------------------- candidate windows

@pytest.mark.parametrize("lo, hi, expected", [
    (0, 10, [2.0, 4.0, 6.0, 8.0, 10.0]),     # lo excluded, hi included
    (2, 7, [4.0, 6.0]),
    (2.5, 3.9, []),
    (10, 20, []),
    (-1, 0, [0.0]),
])
def test_keyframe_candidates_window(lo, hi, expected):
    between = keyframe_candidates([10.0, 0.0, 4.0, 2.0, 8.0, 6.0])   # unsorted on purpose
    assert list(between(lo, hi)) == expected


@pytest.mark.parametrize("step, lo, hi, expected", [
    (1.0, 0, 3, [1.0, 2.0, 3.0]),
    (1.0, 0.5, 3.0, [1.0, 2.0, 3.0]),
    (1.0, 1.0, 3.5, [2.0, 3.0]),
    (1.0, 2.2, 2.9, []),
    (0.5, 0, 1.2, [0.5, 1.0]),
    (10.0, 15, 42, [20.0, 30.0, 40.0]),
])
def test_grid_candidates_window(step, lo, hi, expected):
    assert list(grid_candidates(step)(lo, hi)) == expected


# ---------------------------------------------------------------- choose_cuts

@pytest.mark.parametrize("start, end", [(0, 100), (0, 1199), (50, 1249), (0, 0.5)])
def test_no_cut_when_short_enough(start, end):
    assert choose_cuts(start, end, 1199, grid_candidates()) == [start, end]


@pytest.mark.parametrize("end, max_len, expected", [
    (2500, 1000, [0, 834, 1667, 2500]),       # 3 balanced pieces, cut on whole seconds
    (2000, 1199, [0, 1000, 2000]),
    (1300, 1199, [0, 650, 1300]),              # no 1199 + 101 stub
    (3000, 1199, [0, 1000, 2000, 3000]),
    (1000, 299, [0, 250, 500, 750, 1000]),
])
def test_balanced_grid_cuts(end, max_len, expected):
    assert choose_cuts(0, end, max_len, grid_candidates()) == expected


@pytest.mark.parametrize("end, max_len, step", [
    (2500, 1000, 1.0), (10_000, 1199, 1.0), (3601, 299, 1.0), (777, 60, 7.0), (5000, 1199, 13.0),
])
def test_every_clip_within_limit(end, max_len, step):
    bounds = choose_cuts(0, end, max_len, grid_candidates(step))
    assert bounds[0] == 0 and bounds[-1] == end
    assert all(b > a for a, b in zip(bounds, bounds[1:]))
    assert all(length <= max_len + 1e-6 for length in clips(bounds))


def test_keyframe_cuts_land_on_keyframes():
    keyframes = [float(7 * i) for i in range(429)]     # 0, 7, ..., 2996
    bounds = choose_cuts(0, 3000, 1199, keyframe_candidates(keyframes))
    # target 1000 -> first keyframe at or after it is 1001; then 1001 + 1999/2 = 2000.5 -> 2002
    assert bounds == [0, 1001.0, 2002.0, 3000]


def test_keyframe_cut_below_target_when_none_above():
    # window (0, 1199]: keyframes 600 and 900 only; target 1000 -> the last good one below it
    bounds = choose_cuts(0, 2000, 1199, keyframe_candidates([0.0, 600.0, 900.0, 1800.0]))
    assert bounds == [0, 900.0, 2000]


def test_prefers_cut_between_annotations():
    assert choose_cuts(0, 2000, 1199, grid_candidates()) == [0, 1000, 2000]
    # an annotation over the balanced point moves the cut to its end (a boundary is not inside)
    assert choose_cuts(0, 2000, 1199, grid_candidates(), [(900, 1100)]) == [0, 1100, 2000]
    # ... or to before its start when nothing after it is allowed
    assert choose_cuts(0, 2000, 1199, grid_candidates(), [(900, 1300)]) == [0, 900, 2000]


def test_splits_an_annotation_only_when_it_must():
    # every allowed time in the first window lies inside (100, 2000): cut at the window's end
    bounds = choose_cuts(0, 2100, 1000, grid_candidates(), [(100, 2000)])
    assert bounds == [0, 1000, 2000, 2100]
    assert all(length <= 1000 for length in clips(bounds))


def test_annotation_is_not_split_when_a_cut_between_exists():
    intervals = [(50, 450), (520, 980), (1010, 1400)]
    bounds = choose_cuts(0, 1500, 1000, grid_candidates(), intervals)
    # target 750 falls inside (520, 980): the first time after it that splits nothing is 980
    assert bounds == [0, 980, 1500]
    for cut in bounds[1:-1]:
        assert not any(s < cut < e for s, e in intervals)


@pytest.mark.parametrize("keyframes, end", [
    ([0.0, 1300.0, 2600.0], 3000),               # first window (0, 1199] is empty
    ([0.0, 600.0, 1200.0, 2500.0], 3000),        # a later window (1200, 2399] is empty
    ([0.0], 1500),
])
def test_none_when_keyframes_sparser_than_limit(keyframes, end):
    assert choose_cuts(0, end, 1199, keyframe_candidates(keyframes)) is None


def test_non_zero_start():
    assert choose_cuts(90, 1290, 1199, keyframe_candidates([float(30 * i) for i in range(60)])) == [90, 690.0, 1290]


@pytest.mark.parametrize("max_len", [0, -5])
def test_max_len_must_be_positive(max_len):
    with pytest.raises(ValueError):
        choose_cuts(0, 10, max_len, grid_candidates())
