import pytest

from transforms.core.remap import remap_to_clip, unplaced
from transforms.core.types import Annotation


def A(start, end=None, **fields):
    return Annotation(start=start, end=end, fields=fields)


def spans(annotations):
    return [(a.start, a.end) for a in annotations]


def test_shift_keeps_fields():
    out = remap_to_clip([A(130.0, 140.0, label="goal", team="A")], 100.0, 200.0, is_last=False)
    assert out == [A(30.0, 40.0, label="goal", team="A")]


@pytest.mark.parametrize("clip_start, clip_end, is_last, expected", [
    (100.0, 200.0, False, [(90.0, 100.0)]),
    (200.0, 300.0, True, [(0.0, 10.0)]),
])
def test_straddling_interval_is_clipped_into_both_clips(clip_start, clip_end, is_last, expected):
    assert spans(remap_to_clip([A(190.0, 210.0)], clip_start, clip_end, is_last)) == expected


def test_interval_covering_the_whole_clip():
    assert spans(remap_to_clip([A(50.0, 500.0)], 100.0, 200.0, False)) == [(0.0, 100.0)]


@pytest.mark.parametrize("ann", [
    A(10.0, 100.0),          # ends where the clip starts
    A(200.0, 250.0),         # starts where the clip ends
    A(20.0, 50.0),
    A(250.0, 260.0),
])
def test_intervals_outside_are_left_out(ann):
    assert remap_to_clip([ann], 100.0, 200.0, is_last=False) == []


@pytest.mark.parametrize("t, clip_start, clip_end, is_last, expected", [
    (100.0, 100.0, 200.0, False, [0.0]),      # start is inside the half-open range
    (150.0, 100.0, 200.0, False, [50.0]),
    (200.0, 100.0, 200.0, False, []),         # end is not ...
    (200.0, 200.0, 300.0, False, [0.0]),      # ... it belongs to the next clip
    (99.0, 100.0, 200.0, False, []),
    (300.0, 200.0, 300.0, True, [100.0]),     # except at the very end of the last clip
    (300.0, 200.0, 300.0, False, []),
    (300.5, 200.0, 300.0, True, [100.0]),     # past the last frame (within tolerance): pinned to the end
    (300.5, 200.0, 300.0, False, []),
])
def test_points(t, clip_start, clip_end, is_last, expected):
    out = remap_to_clip([A(t, label="p")], clip_start, clip_end, is_last)
    assert [a.start for a in out] == expected
    assert all(a.end is None and a.fields == {"label": "p"} for a in out)


def test_zero_length_interval_is_a_point_with_an_end():
    assert spans(remap_to_clip([A(150.0, 150.0)], 100.0, 200.0, False)) == [(50.0, 50.0)]


def test_interval_past_the_end_of_the_last_clip_is_pinned():
    assert spans(remap_to_clip([A(300.25, 300.75)], 200.0, 300.0, True)) == [(100.0, 100.0)]


def test_interval_running_past_the_end_of_the_last_clip_is_clipped():
    assert spans(remap_to_clip([A(290.0, 300.5)], 200.0, 300.0, True)) == [(90.0, 100.0)]


def test_interval_starting_at_the_very_end_of_the_last_clip():
    assert spans(remap_to_clip([A(300.0, 300.5)], 200.0, 300.0, True)) == [(100.0, 100.0)]


def test_sorted_by_start_then_end():
    anns = [A(180.0, 190.0, n=1), A(120.0), A(120.0, 150.0, n=3), A(110.0, 130.0, n=4), A(120.0, 125.0, n=5)]
    out = remap_to_clip(anns, 100.0, 200.0, False)
    assert spans(out) == [(10.0, 30.0), (20.0, None), (20.0, 25.0), (20.0, 50.0), (80.0, 90.0)]


def test_empty():
    assert remap_to_clip([], 0.0, 10.0, True) == []


def test_unplaced_finds_annotations_in_a_gap():
    clips = [(0.0, 100.0), (105.0, 200.0)]
    anns = [
        A(50.0),            # 0: held by the first clip
        A(102.0),           # 1: a point in the gap
        A(101.0, 104.0),    # 2: an interval entirely in the gap
        A(99.0, 106.0),     # 3: straddles the gap: held by both
        A(100.0),           # 4: at the end of a clip that is not the last, before the next starts
        A(200.0),           # 5: at the very end of the last clip
        A(150.0, 160.0),    # 6
    ]
    assert unplaced(anns, clips) == [1, 2, 4]


def test_unplaced_with_contiguous_clips_is_empty():
    clips = [(0.0, 100.0), (100.0, 200.0)]
    assert unplaced([A(0.0), A(100.0), A(95.0, 105.0), A(200.0), A(200.5)], clips) == []


def test_unplaced_beyond_the_last_clip_is_pinned_not_lost():
    assert unplaced([A(201.0)], [(0.0, 100.0), (100.0, 200.0)]) == []
