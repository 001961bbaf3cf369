from __future__ import annotations

from transforms.report.answers import Event
from transforms.report.strips import choose_strips, frame_time
from tests.report.records import facts, index_row


def test_frame_time_is_inside_the_event_and_the_clip():
    assert frame_time(Event(4.0, 8.0, "a"), 20.0) == 6.0
    assert frame_time(Event(3.0, None, "a"), 20.0) == 3.0
    assert frame_time(Event(20.0, None, "a"), 20.0) == 19.9   # the very end: the last frame


def test_first_examples_of_each_source_and_every_edge_one():
    index = [index_row("r", i, 10.0 * i, 10.0 * i + 10, clip_count=10) for i in range(10)]
    index += [index_row("s", 0, 0, 100, source="/v/b.mp4")]
    lines = {"r#0": facts((1.0, 2.0, "a")), "r#5": facts((9.5, 10.0, "cut")), "s#0": facts((3.0, None, "p"))}
    choice = choose_strips(index, lines, per_source=2)
    assert [s.key for s in choice.strips] == ["r#0", "r#1", "r#5", "s#0"]
    assert (choice.total, choice.not_shown, choice.edge_total) == (11, 7, 1)
    r5 = choice.strips[2]
    assert r5.has_edge and r5.shots[0].at == 9.75 and r5.shots[0].edge


def test_the_cap_keeps_the_edge_examples():
    index = [index_row(f"r{i}", 0, 0.0, 50.0, clip_count=2, source=f"/v/{i}.mp4") for i in range(30)]
    lines = {f"r{i}#0": facts((49.0, 50.0, "x")) for i in range(0, 30, 3)}
    choice = choose_strips(index, lines, per_source=1, max_strips=12)
    assert len(choice.strips) == 12 and choice.not_shown == 18
    assert sum(s.has_edge for s in choice.strips) == 10


def test_too_many_events_keep_the_edge_ones_and_count_the_rest():
    index = [index_row("r", 0, 0.0, 50.0, clip_count=2)]
    lines = {"r#0": facts(*[(float(i), float(i) + 0.5, f"e{i}") for i in range(10)], (49.5, 50.0, "last"))}
    (strip,) = choose_strips(index, lines, max_shots=4).strips
    assert [s.label for s in strip.shots] == ["e0", "e1", "e2", "last"] and strip.shots_hidden == 7


def test_a_virtual_clip_is_seeked_into_its_file():
    index = [index_row("r", 1, 600.0, 1200.0, clip_count=2, action="virtual", source_duration=1290.0)]
    (strip,) = choose_strips(index, {"r#1": facts((5.0, 7.0, "x"))}).strips
    assert strip.seek_offset == 600.0 and strip.shots[0].at == 6.0


def test_each_video_of_an_example_of_several_is_its_own_strip():
    index = [{**index_row("pair", 0, 0.0, 4.0, source=f"/v/{name}.mp4", sha="pair"), "video_index": i,
              "video_count": 2} for i, name in enumerate(("red", "blue"))]
    choice = choose_strips(index, {"pair": facts()}, per_source=1)
    assert sorted(s.key for s in choice.strips) == ["pair#0v0", "pair#0v1"]
    assert sorted(s.source_uri for s in choice.strips) == ["/v/blue.mp4", "/v/red.mp4"]
