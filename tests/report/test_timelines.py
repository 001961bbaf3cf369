from __future__ import annotations

import pytest

from transforms.report.answers import Event
from transforms.report.timelines import bar, is_edge, source_timelines, ticks
from tests.report.records import drop, facts, index_row


def test_bar_is_a_share_of_the_source():
    b = bar(25.0, 50.0, 100.0)
    assert (b.x, b.w) == (25.0, 25.0)
    end = bar(99.9, 99.9, 100.0)  # a point stays visible, inside the axis
    assert (end.x, end.w) == (99.6, 0.4)
    assert bar(10.0, 10.0, 100.0).w == 0.4


@pytest.mark.parametrize("event, clip, edge", [
    (Event(0.0, 3.0, "a"), (40.0, 60.0), True),      # starts at a cut: clipped by it (or straddling)
    (Event(5.0, 20.0, "a"), (40.0, 60.0), True),     # ends at the next cut
    (Event(5.0, 8.0, "a"), (40.0, 60.0), False),
    (Event(0.0, 3.0, "a"), (0.0, 60.0), False),      # the source's own start is no cut
    (Event(57.0, 60.0, "a"), (40.0, 100.0), False),  # nor its end
    (Event(70.0, None, "a"), (40.0, 100.0), True),   # past the clip's end: a remap gone wrong
])
def test_is_edge(event, clip, edge):
    assert is_edge(event, *clip, source_duration=100.0) is edge


def test_a_straddler_is_drawn_in_both_clips_at_the_cut():
    index = [index_row("r", 0, 0.0, 50.0, clip_count=2), index_row("r", 1, 50.0, 100.0, clip_count=2)]
    lines = {"r#0": facts((10.0, 12.0, "early"), (45.0, 50.0, "long")), "r#1": facts((0.0, 5.0, "long"))}
    (timeline,), _ = source_timelines(index, [], lines)
    (lane,) = timeline.lanes
    assert [(e.label, e.clip_index, e.bar.start, e.bar.end, e.edge) for e in lane.events] == [
        ("early", 0, 10.0, 12.0, False), ("long", 0, 45.0, 50.0, True), ("long", 1, 50.0, 55.0, True)]
    assert timeline.edge_events == 2
    assert [(c.bar.x, c.bar.w) for c in lane.clips] == [(0.0, 50.0), (50.0, 50.0)]


def test_a_real_cut_away_from_the_plan_keeps_the_planned_one():
    index = [index_row("r", 0, 0.0, 52.0, clip_count=2, planned=(0.0, 50.0)),
             index_row("r", 1, 52.0, 100.0, clip_count=2, planned=(52.0, 100.0))]
    lane = source_timelines(index, [], {})[0][0].lanes[0]
    assert lane.clips[0].planned is not None and lane.clips[0].planned.end == 50.0
    assert lane.clips[1].planned is None


def test_sources_sorted_by_trouble_and_dropped_sources_have_a_timeline():
    index = [index_row("calm", 0, 0, 100, source="/v/calm.mp4"),
             index_row("hot", 0, 0, 100, source="/v/hot.mp4", action="transcode"),
             index_row("edge", 0, 0.0, 50.0, source="/v/edge.mp4", clip_count=2),
             index_row("edge", 1, 50.0, 100.0, source="/v/edge.mp4", clip_count=2)]
    lines = {"edge#0": facts((48.0, 50.0, "x"))}
    drops = [drop("broken", "unreadable_media", source="/v/broken.mp4"), drop("bad", "malformed_row", source="")]
    timelines, total = source_timelines(index, drops, lines)
    assert total == 4
    assert [t.name for t in timelines] == ["broken.mp4", "hot.mp4", "edge.mp4", "calm.mp4"]
    broken = timelines[0]
    assert broken.duration is None and broken.lanes == () and [d["reason"] for d in broken.drops] == ["unreadable_media"]


def test_lanes_are_capped_and_the_rest_counted():
    index = [index_row(f"r{i}", 0, 0, 100) for i in range(11)]
    (timeline,), _ = source_timelines(index, [], {}, max_lanes=8)
    assert len(timeline.lanes) == 8 and timeline.lanes_hidden == 3 and timeline.examples == 11


def test_only_the_most_troubled_sources_are_drawn():
    index = [index_row(f"r{i}", 0, 0, 100, source=f"/v/{i:02d}.mp4", action="transcode" if i % 7 == 0 else "copy")
             for i in range(30)]
    timelines, total = source_timelines(index, [], {}, max_sources=5)
    assert total == 30 and [t.name for t in timelines] == ["00.mp4", "07.mp4", "14.mp4", "21.mp4", "28.mp4"]


def test_ticks():
    assert ticks(None) == []
    assert ticks(20.0)[:3] == [(0.0, 0.0), (5.0, 25.0), (10.0, 50.0)]
    marks = ticks(1290.0)
    assert len(marks) <= 9 and marks[1][0] == 300.0
