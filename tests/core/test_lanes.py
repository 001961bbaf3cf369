"""Dealing the cut stage's batches into balanced lanes, one per local worker."""
from __future__ import annotations

import pytest

from transforms.core.lanes import assign_lanes, clip_cost, lane_order, local_lanes
from transforms.core.types import Action, ClipSpec, TranscodeSettings, VideoInfo


def _spec(action: Action, seconds: float, width: int = 1920, height: int = 1080, size: int = 150_000_000,
          duration: float = 30.0) -> ClipSpec:
    source = VideoInfo(uri="/v.mp4", size_bytes=size, container="mp4", duration=duration, video_codec="h264",
                       width=width, height=height, fps=25.0, rotation=0, has_audio=False, audio_codec="",
                       input_offset=0.0, identity="1-1")
    return ClipSpec(source=source, segment_key="s", clip_index=0, clip_count=1, start=0.0, end=seconds,
                    action=action, transcode=TranscodeSettings(1_000_000, 64_000, 720, 25.0), media_name="m.mp4")


def test_a_transcode_costs_per_pixel_second_and_a_copy_per_byte_moved():
    assert clip_cost(_spec(Action.TRANSCODE, 30.0)) == pytest.approx(30.0)
    assert clip_cost(_spec(Action.TRANSCODE, 30.0, 1280, 720)) == pytest.approx(30.0 * 1280 * 720 / (1920 * 1080))
    assert clip_cost(_spec(Action.COPY, 30.0)) == pytest.approx(7.5)  # 150 MB moved
    assert clip_cost(_spec(Action.CUT, 10.0)) == pytest.approx(2.5)  # a third of the source's bytes
    assert clip_cost(_spec(Action.VIRTUAL, 30.0)) == 0.0


def test_the_longest_go_first_to_the_least_loaded_lane():
    costs = [("a", 5.0), ("b", 5.0), ("c", 4.0), ("d", 3.0), ("e", 3.0), ("f", 1.0)]
    lanes = assign_lanes(costs, 2)
    loads = [sum(c for k, c in costs if lanes[k] == lane) for lane in (0, 1)]
    assert sorted(loads) == [10.0, 11.0]
    assert lanes["a"] != lanes["b"]  # the two biggest never share a lane


def test_the_deal_does_not_depend_on_the_input_order():
    costs = [(f"k{i}", float(i % 7)) for i in range(40)]
    assert assign_lanes(costs, 3) == assign_lanes(list(reversed(costs)), 3)
    assert set(assign_lanes(costs, 3).values()) == {0, 1, 2}


def test_an_unlucky_round_robin_is_what_lanes_prevent():
    # Eight equal transcodes and eight small copies, in the order a round-robin split could get
    # them: alternate keys would give one worker every transcode.
    costs = [item for i in range(8) for item in ((f"big{i}", 30.0), (f"small{i}", 0.5))]
    round_robin = sum(c for k, c in costs[0::2]), sum(c for k, c in costs[1::2])
    lanes = assign_lanes(costs, 2)
    dealt = [sum(c for k, c in costs if lanes[k] == lane) for lane in (0, 1)]
    assert max(round_robin) == 240.0 and max(dealt) == 122.0


@pytest.mark.parametrize("workers, runner, expected", [
    (2, "DirectRunner", 2), (4, None, 4), (1, "DirectRunner", 0), (None, "DirectRunner", 0),
    (8, "DataflowRunner", 0),
])
def test_lanes_only_for_several_local_workers(workers, runner, expected):
    assert local_lanes(workers, runner) == expected


def test_even_lanes_make_the_costliest_first_and_odd_lanes_the_cheapest():
    costs = {"big_a": 26.0, "copy_b": 0.2, "cut_c": 0.4, "big_d": 26.0}
    assert lane_order(0, costs) == ["big_a", "big_d", "cut_c", "copy_b"]
    assert lane_order(1, costs) == ["copy_b", "cut_c", "big_d", "big_a"]
    # So while one lane encodes, the other moves bytes: not both copying at once at the end.
    assert lane_order(2, costs) == lane_order(0, costs) and lane_order(3, costs) == lane_order(1, costs)
