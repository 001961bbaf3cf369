"""--oversize split's cut points: by bytes and by seconds, on keyframes only, and where they cannot be found."""
import pytest

from transforms.core.split_points import ByteTimeline, choose_splits
from transforms.core.types import VideoInfo


def timeline(keyframes, gop_bytes, other_per_second=0.0, duration=None):
    """Keyframes at the given times, each group of pictures holding `gop_bytes[i]` bytes."""
    cumulative, total = [], 0
    for size in gop_bytes:
        cumulative.append(total)
        total += size
    return ByteTimeline(tuple(keyframes), tuple(cumulative), total, other_per_second,
                        duration or keyframes[-1] + 1)


def pieces(bounds):
    return list(zip(bounds, bounds[1:]))


def test_bytes_bind_before_seconds():
    # 10 keyframes 1 s apart, 10 MB each: 100 MB in 10 s; pieces of at most 30 MB, 300 s.
    tl = timeline([float(i) for i in range(10)], [10_000_000] * 10, duration=10.0)
    plan = choose_splits(0.0, 10.0, tl, max_seconds=300, max_bytes=30_000_000)
    assert plan.bounds is not None
    for a, b in pieces(plan.bounds):
        assert tl.bytes_between(a, b) <= 30_000_000
    assert len(plan.bounds) - 1 == 4           # ceil(100 / 30): no more pieces than needed
    assert all(b in tl.keyframes for b in plan.bounds[1:-1])


def test_seconds_bind_before_bytes():
    tl = timeline([float(2 * i) for i in range(300)], [1000] * 300, duration=600.0)
    plan = choose_splits(0.0, 600.0, tl, max_seconds=250, max_bytes=100_000_000)
    assert [round(b - a) for a, b in pieces(plan.bounds)] == [200, 200, 200]  # even, not 250 + 250 + 100


def test_uneven_bitrate_moves_the_cut_to_where_the_bytes_are():
    # The first half is 9x as dense as the second: an even split in time would overflow the first piece.
    sizes = [9_000_000] * 10 + [1_000_000] * 10
    tl = timeline([float(i) for i in range(20)], sizes, duration=20.0)
    plan = choose_splits(0.0, 20.0, tl, max_seconds=300, max_bytes=60_000_000)
    for a, b in pieces(plan.bounds):
        assert tl.bytes_between(a, b) <= 60_000_000
    assert plan.bounds[1] < 10.0               # the first cut falls in the dense half


def test_audio_and_boxes_count_towards_the_size():
    tl = timeline([float(i) for i in range(10)], [5_000_000] * 10, other_per_second=5_000_000, duration=10.0)
    plan = choose_splits(0.0, 10.0, tl, max_seconds=300, max_bytes=30_000_000)
    for a, b in pieces(plan.bounds):
        assert tl.bytes_between(a, b) == pytest.approx(10_000_000 * (b - a))
        assert tl.bytes_between(a, b) <= 30_000_000
    assert len(plan.bounds) - 1 == 4


def test_a_piece_ending_between_keyframes_counts_its_whole_group_of_pictures():
    tl = timeline([0.0, 4.0, 8.0], [40, 40, 40], duration=12.0)
    assert tl.bytes_between(0.0, 4.0) == 40
    assert tl.bytes_between(0.0, 5.0) == 80   # ends inside the second group: counted whole
    assert tl.bytes_between(4.0, 12.0) == 80


def test_prefers_a_keyframe_outside_the_annotations():
    tl = timeline([float(i) for i in range(20)], [10_000_000] * 20, duration=20.0)
    plan = choose_splits(0.0, 20.0, tl, 300, 110_000_000, intervals=[(9.5, 10.5)])
    assert plan.bounds[1] != 10.0
    for a, b in pieces(plan.bounds):
        assert tl.bytes_between(a, b) <= 110_000_000


def test_sparse_keyframes_give_no_bounds_and_say_where():
    # One keyframe group of 150 MB: no stream-copied piece of it is under 100 MB.
    tl = timeline([0.0, 10.0, 20.0], [20_000_000, 150_000_000, 20_000_000], duration=30.0)
    plan = choose_splits(0.0, 30.0, tl, 300, 100_000_000)
    assert plan.bounds is None
    assert "keyframes too sparse" in plan.problem and "10.000s" in plan.problem and "20.000s" in plan.problem


def test_sparse_keyframes_by_seconds_give_no_bounds():
    tl = timeline([0.0, 400.0], [1000, 1000], duration=800.0)
    plan = choose_splits(0.0, 800.0, tl, 299, 100_000_000)
    assert plan.bounds is None and "400.0s" in plan.problem


def test_a_segment_that_fits_is_one_piece():
    tl = timeline([0.0, 2.0, 4.0], [10, 10, 10], duration=6.0)
    assert choose_splits(0.0, 6.0, tl, 300, 100).bounds == [0.0, 6.0]


def test_unmeasured_sources_assume_an_even_bitrate():
    info = VideoInfo(uri="/v.mp4", size_bytes=200_000_000, container="mp4", duration=20.0, video_codec="h264",
                     width=1920, height=1080, fps=25.0, rotation=0, has_audio=True, audio_codec="aac",
                     input_offset=0.0, keyframes=tuple(float(i) for i in range(20)))
    tl = ByteTimeline.of(info)
    assert not tl.measured
    assert tl.bytes_between(0.0, 5.0) == pytest.approx(50_000_000)


def test_measured_sources_use_the_sample_table():
    info = VideoInfo(uri="/v.mp4", size_bytes=110, container="mp4", duration=4.0, video_codec="h264",
                     width=1920, height=1080, fps=25.0, rotation=0, has_audio=True, audio_codec="aac",
                     input_offset=0.0, keyframes=(0.0, 2.0), keyframe_bytes=(0, 90), video_bytes=100)
    tl = ByteTimeline.of(info)
    assert tl.measured
    assert tl.bytes_between(0.0, 2.0) == pytest.approx(90 + 2 * 10 / 4)
    assert tl.bytes_between(2.0, 4.0) == pytest.approx(10 + 2 * 10 / 4)
