"""Repair of an existing tuning dataset, both profiles, the token cap and the validation cap, end to end.

Videos are made here (small, colour events at known times); every re-timed timestamp in a
repaired free-text answer is checked against the pixels of the clip it now refers to.
"""
from __future__ import annotations

import hashlib
import json
import os
import re

import pytest

from pipeline.run import run
from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.dataset_files import read_dataset
from tests.genai_schema import assert_valid_tuning_line
from tests.media_checks import FrameReader, colour_name, media_duration
from transforms.gemini.profiles import GEMINI_3, GEMINI_25, estimate
from transforms.core.repair import timestamps

pytestmark = pytest.mark.e2e

COLOURS = VideoSpec(name="colours.mp4", seconds=100, size=(160, 120), fps=10, gop_seconds=2,
                    events=(Event(12, 16, "red"), Event(37, 43, "blue"), Event(61, 64, "green"),
                            Event(85, 89, "yellow")))
LONG = VideoSpec(name="long.mp4", seconds=330, size=(160, 120), fps=5, gop_seconds=2,
                 events=(Event(20, 25, "red"), Event(310, 315, "blue")))
SILENT = VideoSpec(name="silent.mp4", seconds=30, size=(160, 120), fps=10, audio=False,
                   events=(Event(5, 8, "cyan"),))


def _clock(t: float, hours: bool = False) -> str:
    m, s = divmod(int(t), 60)
    return f"{m // 60:02d}:{m % 60:02d}:{s:02d}" if hours else (f"{m}:{s:02d}" if m < 10 and t % 2 else f"{m:02d}:{s:02d}")


def _example(uri: str, answer: str, prompt: str = "Which colours appear, and when?", **video_extra) -> dict:
    video = {"fileData": {"fileUri": uri, "mimeType": "video/mp4"}, **video_extra}
    return {"contents": [{"role": "user", "parts": [video, {"text": prompt}]},
                         {"role": "model", "parts": [{"text": answer}]}],
            "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}}


def _free_text(events, hours_every: int = 3) -> str:
    lines = ["Here is what happens:"]
    for i, e in enumerate(events):
        hours = i % hours_every == 2
        lines.append(f"- The screen is {e.color} from {_clock(e.start, hours)} until {_clock(e.end, hours)}.")
    lines.append("Nothing else happens.")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("media"))
    return {spec.name: make_video(folder, spec) for spec in (COLOURS, LONG, SILENT)}


_read = read_dataset


def _by_file(lines, index):
    """Each line with its index row, matched by the line's SHA-1 (rows may share a clip file)."""
    rows = {r["line_sha1"]: r for r in index}
    return [(line, rows[hashlib.sha1(raw.encode("utf-8")).hexdigest()]) for _, line, raw in lines]


@pytest.fixture(scope="module")
def repaired(media, tmp_path_factory):
    """A tuning dataset whose videos are too long for --max_clip_seconds 40, answers in free text and JSON."""
    folder = tmp_path_factory.mktemp("repair")
    dataset = folder / "old-train.jsonl"
    json_answer = "```json\n" + json.dumps([{"start": _clock(e.start), "end": _clock(e.end), "label": e.color}
                                            for e in COLOURS.events]) + "\n```"
    examples = [
        dict(_example(media["colours.mp4"], _free_text(COLOURS.events)), id="free-text"),
        dict(_example(media["colours.mp4"], json_answer, prompt="List the colour events as JSON."), id="json"),
        # A segment of the video (times on the video's timeline), sampled at 2 fps.
        dict(_example(media["colours.mp4"], _free_text(COLOURS.events[1:3]), prompt="Colours in this part?",
                      videoMetadata={"startOffset": "30s", "endOffset": "68s", "fps": 2}), id="segment"),
        dict(_example(media["silent.mp4"], "Cyan at 0:05 until 0:08."), id="short"),
        dict(_example(media["colours.mp4"], "Red at 02:30."), id="out-of-range"),
        # No time in the answer: kept whole when the video fits one clip, dropped when it does not.
        dict(_example(media["silent.mp4"], "A grey screen that turns cyan."), id="untimed-short"),
        dict(_example(media["colours.mp4"], "A grey screen that changes colour."), id="untimed-long"),
    ]
    dataset.write_text("".join(json.dumps(e) + "\n" for e in examples), encoding="utf-8")
    out = str(folder / "out")
    code = run(["--manifest", str(dataset), "--output", out, "--max_clip_seconds", "40",
                "--validation_fraction", "0", "--max_drop_rate", "0.3"])
    lines, index, drops, stats = _read(out)
    return {"code": code, "out": out, "lines": lines, "index": index, "drops": drops, "stats": stats}


def test_repair_passes_the_gate_and_drops_what_it_cannot_place(repaired):
    assert repaired["code"] == 0, repaired["stats"]["gate"]
    assert sorted((d["row_id"], d["reason"]) for d in repaired["drops"]) == [
        ("out-of-range", "annotation_out_of_range"), ("untimed-long", "too_long_for_response")]
    clips = {}
    for row in repaired["index"]:
        clips.setdefault(row["row_id"], []).append(row)
    assert len(clips["free-text"]) == len(clips["json"]) == 3  # 100 s in clips of at most 40 s
    assert len(clips["segment"]) == len(clips["short"]) == len(clips["untimed-short"]) == 1
    for _, line, _ in repaired["lines"]:
        path = line["contents"][0]["parts"][0]["fileData"]["fileUri"]
        assert media_duration(path) <= 40


def test_every_repaired_timestamp_lands_on_its_colour(repaired):
    checked = 0
    for line, row in _by_file(repaired["lines"], repaired["index"]):
        reader = FrameReader(line["contents"][0]["parts"][0]["fileData"]["fileUri"])
        answer = line["contents"][1]["parts"][0]["text"]
        if answer.startswith("```json"):
            items = json.loads(answer[len("```json\n"):-len("\n```")])
            spans = [(item["label"], item["start"], item["end"]) for item in items]
        else:
            spans = re.findall(r"(red|blue|green|yellow|cyan) (?:from|at) (\S+) until (\S+?)\.", answer, re.I)
        for colour, start_text, end_text in spans:
            [(_, start)], [(_, end)] = timestamps(start_text), timestamps(end_text)
            assert colour_name(reader.colour_at(start + 0.15)) == colour.lower(), (row["row_id"], answer)
            assert colour_name(reader.colour_at(end - 0.15)) == colour.lower(), (row["row_id"], answer)
            if start >= 1:
                assert colour_name(reader.colour_at(start - 0.85)) != colour.lower(), (row["row_id"], answer)
            checked += 1
    assert checked >= 2 * len(COLOURS.events) + 2 + 1  # free text, JSON, the segment, the short video


def test_free_text_keeps_its_spelling_and_untimed_lines(repaired):
    for line, row in _by_file(repaired["lines"], repaired["index"]):
        if row["row_id"] != "free-text":
            continue
        answer = line["contents"][1]["parts"][0]["text"]
        assert answer.startswith("Here is what happens:\n") and answer.endswith("\nNothing else happens.")
        if "green" in answer:  # the third event was written HH:MM:SS and still is
            assert re.search(r"green from \d\d:\d\d:\d\d until \d\d:\d\d:\d\d\.", answer), answer


def test_segment_and_fps_of_a_repaired_example_are_honoured(repaired):
    [(line, row)] = [(line, row) for line, row in _by_file(repaired["lines"], repaired["index"])
                     if row["row_id"] == "segment"]
    assert 29 <= row["source_start"] <= 30.01 and 67.9 <= row["source_end"] <= 68.5
    assert line["contents"][0]["parts"][0]["videoMetadata"] == {"fps": 2}
    duration = row["duration"]
    text = line["contents"][0]["parts"][1]["text"] + line["contents"][1]["parts"][0]["text"]
    assert row["est_tokens"] == estimate(GEMINI_25, duration, True, "LOW", text, fps=2).total


def test_repaired_lines_are_valid_sdk_types_and_pass_validate(repaired, capsys):
    from pipeline.validate import run as validate
    for _, line, _ in repaired["lines"]:
        assert_valid_tuning_line(line)
    code = validate([os.path.join(repaired["out"], "train.jsonl")])
    report = capsys.readouterr().out
    assert code == 0, report
    assert "0 errors" in report and "Result: PASS" in report


def _manifest(folder, media, rows) -> str:
    path = folder / "manifest.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _rows(media):
    events = [e.annotation() for e in LONG.events]
    return [
        {"id": "long-low", "video_uri": media["long.mp4"], "prompt": "Colours?", "annotations": events},
        {"id": "long-medium", "video_uri": media["long.mp4"], "prompt": "Colours?", "annotations": events,
         "media_resolution": "MEDIUM"},
        {"id": "long-high", "video_uri": media["long.mp4"], "prompt": "Colours?", "annotations": events,
         "media_resolution": "MEDIA_RESOLUTION_HIGH"},
        {"id": "colours-val", "video_uri": media["colours.mp4"], "prompt": "Colours?", "split": "validation",
         "annotations": [e.annotation() for e in COLOURS.events]},
        {"id": "silent-val", "video_uri": media["silent.mp4"], "prompt": "Colours?", "split": "validation",
         "annotations": [e.annotation() for e in SILENT.events]},
    ]


def test_gemini_3_mixes_resolutions_per_row(media, tmp_path):
    out = str(tmp_path / "out")
    code = run(["--manifest", _manifest(tmp_path, media, _rows(media)), "--output", out, "--profile", "gemini-3",
                "--validation_fraction", "0", "--max_validation_examples", "1", "--price_per_million_tokens", "5", "--epochs", "2"])
    lines, index, drops, stats = _read(out)
    assert code == 0, stats["gate"]
    assert drops == []
    by_row = {}
    for line, row in _by_file(lines, index):
        assert_valid_tuning_line(line)
        by_row.setdefault(row["row_id"], []).append((line, row))
        level = line["contents"][0]["parts"][0]["mediaResolution"]["level"]
        assert line["generationConfig"]["mediaResolution"] == "MEDIA_RESOLUTION_LOW"
        assert level == {"long-medium": "MEDIA_RESOLUTION_MEDIUM", "long-high": "MEDIA_RESOLUTION_HIGH"}.get(
            row["row_id"], "MEDIA_RESOLUTION_LOW")
    assert len(by_row["long-low"]) == 1           # 330 s fits 20 min at LOW
    assert len(by_row["long-medium"]) == len(by_row["long-high"]) == 2  # 5 min at MEDIUM/HIGH
    for line, row in by_row["long-medium"] + by_row["long-high"]:
        assert media_duration(line["contents"][0]["parts"][0]["fileData"]["fileUri"]) <= 300
    # Token rates follow each row's level (Gemini 3: 70 at LOW/MEDIUM, 280 at HIGH per frame).
    [(low_line, low)] = by_row["long-low"]
    assert low["est_tokens"] == estimate(
        GEMINI_3, low["duration"], True, "LOW", low_line["contents"][0]["parts"][1]["text"] + low_line["contents"][1]["parts"][0]["text"]).total
    # The validation cap of 1: one of the two validation videos moved to train, whole.
    assert stats["examples"]["validation"] == 1
    assert {r["row_id"] for r in index if r["split"] == "validation"} < {"colours-val", "silent-val"}
    assert sum(1 for split, _, _ in lines if split == "validation") == 1
    assert stats["cost"]["billed_tokens"] == 2 * stats["est_tokens"]["train"]
    assert stats["cost"]["est_cost"] == round(2 * stats["est_tokens"]["train"] * 5 / 1e6, 2)


def test_gemini_25_drops_other_resolutions_and_replans_over_the_token_cap(media, tmp_path):
    out = str(tmp_path / "out")
    cap = 8_000
    code = run(["--manifest", _manifest(tmp_path, media, _rows(media)), "--output", out,
                "--max_example_tokens", str(cap), "--max_drop_rate", "0.5", "--validation_fraction", "0"])
    lines, index, drops, stats = _read(out)
    assert code == 0, stats["gate"]
    assert sorted((d["row_id"], d["reason"]) for d in drops) == [
        ("long-high", "media_resolution_mismatch"), ("long-medium", "media_resolution_mismatch")]
    assert stats["drops_by_reason"] == {"media_resolution_mismatch": 2}
    clips = [r for r in index if r["row_id"] == "long-low"]
    # 330 s at LOW with audio is ~102 tokens a second: about 78 s per example, so 5 clips, not 1.
    assert len(clips) == 5
    assert all(r["est_tokens"] <= cap for r in index)
    assert stats["est_tokens_total"] == sum(r["est_tokens"] for r in index)
    for line, row in _by_file(lines, index):
        assert "mediaResolution" not in line["contents"][0]["parts"][0]  # 2.5: dataset-wide only
