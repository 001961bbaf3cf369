"""Repair mode, pure parts: a tuning example read as a row, and its answer re-timed per clip."""
from __future__ import annotations

import json

import pytest

from transforms.core.remap import remap_to_clip
from transforms.core.repair import (TIMESTAMP_RE, format_like, render_answer, row_from_example, timestamps,
                                    unsplittable_items)
from transforms.core.types import Drop, DropReason, ManifestRow


def _example(answer: str, metadata: dict | None = None, uri: str = "gs://b/v.mp4", **extra) -> dict:
    video = {"fileData": {"fileUri": uri, "mimeType": "video/mp4"}}
    if metadata:
        video["videoMetadata"] = metadata
    raw = {"contents": [{"role": "user", "parts": [video, {"text": "What happens when?"}]},
                        {"role": "model", "parts": [{"text": answer}]}],
           "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}}
    raw.update(extra)
    return raw


@pytest.mark.parametrize("text, seconds", [
    ("at 00:05", [5.0]), ("at 0:05", [5.0]), ("from 12:34 to 1:02:03", [754.0, 3723.0]),
    ("01:00:00.5 end", [3600.5]), ("75:30 long", [4530.0]), ("ratio 16:9 and 3:45pm", [225.0]),
    ("nothing 12:345 or 1:2", []),
])
def test_timestamps_found_in_free_text(text, seconds):
    assert [v for _, v in timestamps(text)] == seconds


@pytest.mark.parametrize("original, seconds, expected", [
    ("00:05", 65.0, "01:05"), ("0:05", 65.0, "1:05"), ("0:05", 5.0, "0:05"), ("01:02:03", 65.0, "00:01:05"),
    ("1:02:03", 3725.0, "1:02:05"), ("00:05.50", 12.346, "00:12.35"), ("05:00", 3600.0, "60:00"),
])
def test_timestamps_keep_their_spelling(original, seconds, expected):
    assert format_like(TIMESTAMP_RE.search(original), seconds) == expected


def _render(row: ManifestRow, start: float, end: float, is_last: bool = False) -> str:
    held = remap_to_clip(row.annotations, start, end, is_last)
    return render_answer(row.answer_template, held, start, end)


def test_free_text_answer_is_split_per_clip_and_retimed():
    answer = "Events:\nRed from 00:10 to 00:14.\nBlue at 5:05.\nGreen 05:50 - 06:20, long.\nThat is all."
    row = row_from_example(_example(answer), "d.jsonl:1", "/d", "r1")
    assert isinstance(row, ManifestRow) and row.video_uri == "gs://b/v.mp4" and row.prompt == "What happens when?"
    assert unsplittable_items(row.answer_template, [(0.0, 300.0), (300.0, 600.0)]) == []
    first = _render(row, 0.0, 300.0)
    second = _render(row, 300.0, 600.0, is_last=True)
    assert first == "Events:\nRed from 00:10 to 00:14.\nThat is all."
    assert second == "Events:\nBlue at 0:05.\nGreen 00:50 - 01:20, long.\nThat is all."


# The example: an 8-minute video at MEDIUM is cut in two; clamping made up
# "yellow from 04:50 to 04:50" in the first clip and "red from 00:00 to 00:00" in the second.
EIGHT_MINUTES = [(0.0, 240.0), (240.0, 480.0)]


@pytest.mark.parametrize("answer, stuck", [
    ("Red from 00:20 to 00:26, green from 02:00 to 02:05, yellow from 07:10 to 07:16.", [0]),
    ("Events:\nGreen 03:50 - 04:20, long.\nBlue at 05:05.", [1]),       # straddles the cut at 04:00
    ("Red from 00:20 to 00:26.\nYellow from 07:10 to 07:16.", []),       # one line per clip
    ("Red at 00:00.\nYellow until 08:00.\nCyan 08:00.5", []),           # the edges, give or take 1 s
    ("Red from 03:00 to 04:00.\nBlue from 04:00 to 05:00.", []),         # each ends or starts at the cut
])
def test_a_line_of_free_text_goes_whole_into_one_clip_or_the_row_is_not_splittable(answer, stuck):
    row = row_from_example(_example(answer), "d.jsonl:1", "/d", "r1")
    assert unsplittable_items(row.answer_template, EIGHT_MINUTES) == stuck


def test_no_clip_of_a_splittable_free_text_answer_names_a_time_outside_it():
    row = row_from_example(_example("Red from 00:20 to 00:26.\nYellow from 07:10 to 07:16."), "d.jsonl:1", "/d", "r")
    assert _render(row, *EIGHT_MINUTES[0]) == "Red from 00:20 to 00:26."
    assert _render(row, *EIGHT_MINUTES[1], is_last=True) == "Yellow from 03:10 to 03:16."


def test_json_answers_keep_clipping_intervals_that_straddle_a_cut():
    items = [{"start": "03:50", "end": "04:20", "label": "green"}]
    row = row_from_example(_example("```json\n" + json.dumps(items) + "\n```"), "d.jsonl:1", "/d", "r")
    assert unsplittable_items(row.answer_template, EIGHT_MINUTES) == []
    assert json.loads(_render(row, *EIGHT_MINUTES[0])[8:-4]) == [{"start": "03:50", "end": "04:00", "label": "green"}]
    assert json.loads(_render(row, *EIGHT_MINUTES[1], is_last=True)[8:-4]) == [
        {"start": "00:00", "end": "00:20", "label": "green"}]


def test_json_answer_items_are_split_and_every_string_retimed():
    items = [{"start": "00:02", "end": "00:04", "label": "red"}, {"start": "01:10", "label": "blue",
                                                                   "note": "seen again at 01:15"}]
    answer = "```json\n" + json.dumps(items) + "\n```"
    row = row_from_example(_example(answer), "d.jsonl:2", "/d", "r2")
    rendered = _render(row, 60.0, 120.0, is_last=True)
    assert rendered.startswith("```json\n") and rendered.endswith("\n```")
    assert json.loads(rendered[8:-4]) == [{"start": "00:10", "label": "blue", "note": "seen again at 00:15"}]


def test_video_metadata_offsets_become_the_segment():
    row = row_from_example(_example("Red at 01:05.", {"startOffset": "60s", "endOffset": "90.5s", "fps": 2}),
                           "d.jsonl:3", "/d", "r3")
    assert (row.start, row.end, row.fps) == (60.0, 90.5, 2.0)
    assert [(a.start, a.end) for a in row.annotations] == [(65.0, None)]
    relative = row_from_example(_example("Red at 00:05.", {"startOffset": "60s", "endOffset": "90s"}),
                                "d.jsonl:4", "/d", "r4", timeline="segment")
    assert [(a.start, a.end) for a in relative.annotations] == [(65.0, None)]
    assert _render(relative, 62.0, 90.0, is_last=True) == "Red at 00:03."


def test_relative_paths_resolve_against_the_manifest_and_the_part_level_wins():
    raw = _example("ok", uri="clips/v.mp4")
    raw["contents"][0]["parts"][0]["mediaResolution"] = {"level": "MEDIA_RESOLUTION_HIGH"}
    row = row_from_example(raw, "d.jsonl:5", "/data", "r5")
    assert (row.video_uri, row.media_resolution) == ("/data/clips/v.mp4", "HIGH")
    # No time in the answer: it is kept whole, as a fixed response (one clip, or dropped).
    assert (row.annotations, row.response, row.answer_template) == (None, "ok", None)


@pytest.mark.parametrize("raw, reason, words", [
    ({"contents": "x"}, DropReason.MALFORMED_ROW, "non-empty list"),
    (_example("Red at 00:05.", {"startOffset": "60s", "endOffset": "90s"}), DropReason.ANNOTATION_OUT_OF_RANGE,
     "--repair_timeline segment"),
    (_example("x", {"startOffset": "9s", "endOffset": "5s"}), DropReason.BAD_RANGE, "endOffset"),
    (_example("x", {"fps": 30}), DropReason.MALFORMED_ROW, "(0, 24]"),
    ({"contents": [{"role": "user", "parts": [{"text": "hi"}]}, {"role": "model", "parts": [{"text": "a"}]}]},
     DropReason.MALFORMED_ROW, "exactly one video"),
    ({"contents": [{"role": "user", "parts": [{"fileData": {"fileUri": "v.mp4"}}, {"text": "hi"}]}]},
     DropReason.NO_TARGET, "no model answer"),
])
def test_broken_examples_become_drops_that_say_why(raw, reason, words):
    drop = row_from_example(raw, "d.jsonl:9", "/d", "bad")
    assert isinstance(drop, Drop) and drop.reason == reason and words in drop.detail, drop
