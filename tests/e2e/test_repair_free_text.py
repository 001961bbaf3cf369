"""Repair mode never invents a statement: the issue's 8-minute video cut at MEDIUM, through
`python -m pipeline.run` as a user runs it. A line of free text goes whole into the clip that holds
it, or its row is dropped (`answer_not_splittable`); nothing is clamped to a clip's edge."""
from __future__ import annotations

import hashlib
import json
import pathlib
import re
import subprocess
import sys

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.dataset_files import read_dataset
from tests.media_checks import FrameReader, colour_name
from transforms.core.repair import timestamps

pytestmark = pytest.mark.e2e

ROOT = pathlib.Path(__file__).resolve().parents[2]
EIGHT_MINUTES = VideoSpec(name="eight.mp4", seconds=480, size=(96, 64), fps=5, gop_seconds=2, audio=False,
                          events=(Event(20, 26, "red"), Event(130, 136, "blue"), Event(250, 256, "green"),
                                  Event(330, 336, "cyan"), Event(430, 436, "yellow")))
STATEMENT = re.compile(r"(red|blue|green|yellow|cyan) from (\d\d:\d\d) to (\d\d:\d\d)", re.I)


def _clock(t: float) -> str:
    return f"{int(t) // 60:02d}:{int(t) % 60:02d}"


def _example(uri: str, answer: str, row_id: str) -> dict:
    return {"id": row_id,
            "contents": [{"role": "user", "parts": [{"fileData": {"fileUri": uri, "mimeType": "video/mp4"}},
                                                    {"text": "Which colours appear, and when?"}]},
                         {"role": "model", "parts": [{"text": answer}]}]}


@pytest.fixture(scope="module")
def repaired(tmp_path_factory):
    folder = tmp_path_factory.mktemp("repair-free-text")
    video = make_video(str(folder), EIGHT_MINUTES)
    said = [f"{e.color} from {_clock(e.start)} to {_clock(e.end)}" for e in EIGHT_MINUTES.events]
    items = [{"start": _clock(e.start), "end": _clock(e.end), "label": e.color} for e in EIGHT_MINUTES.events]
    dataset = folder / "old-train.jsonl"
    dataset.write_text("".join(json.dumps(e) + "\n" for e in (
        _example(video, ", ".join(said).capitalize() + ".", "one-line"),     # the answer
        _example(video, "Colours seen:\n" + "\n".join(s.capitalize() + "." for s in said), "per-line"),
        _example(video, "```json\n" + json.dumps(items) + "\n```", "json"),
    )), encoding="utf-8")
    out = folder / "out"
    done = subprocess.run([sys.executable, "-m", "pipeline.run", "--manifest", str(dataset), "--output", str(out),
                           "--media_resolution", "MEDIUM", "--validation_fraction", "0", "--max_drop_rate", "0.5"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    lines, index, drops, _ = read_dataset(str(out))
    by_sha = {r["line_sha1"]: r for r in index}
    rows = [(by_sha[hashlib.sha1(raw.encode()).hexdigest()], line) for _, line, raw in lines]
    return {"rows": rows, "drops": drops}


def test_one_line_naming_events_in_both_clips_is_dropped_not_clamped(repaired):
    assert [(d["row_id"], d["reason"]) for d in repaired["drops"]] == [("one-line", "answer_not_splittable")]
    assert "07:10" in repaired["drops"][0]["detail"]  # the line is named, so it can be fixed
    assert sorted({r["row_id"] for r, _ in repaired["rows"]}) == ["json", "per-line"]


def test_each_line_goes_whole_into_the_clip_that_shows_it(repaired):
    clips = sorted(((r, line) for r, line in repaired["rows"] if r["row_id"] == "per-line"),
                   key=lambda item: item[0]["clip_index"])
    assert len(clips) == 2  # 8 minutes at MEDIUM (5 minutes a clip)
    seen = []
    for row, line in clips:
        answer = line["contents"][1]["parts"][0]["text"]
        assert answer.startswith("Colours seen:\n")  # a line without times goes to every clip
        reader = FrameReader(line["contents"][0]["parts"][0]["fileData"]["fileUri"])
        for colour, start_text, end_text in STATEMENT.findall(answer):
            [(_, start)], [(_, end)] = timestamps(start_text), timestamps(end_text)
            assert 0 <= start < end <= row["duration"] + 1, (answer, row["duration"])
            assert colour_name(reader.colour_at(start + 0.6)) == colour.lower(), answer
            assert colour_name(reader.colour_at(end - 0.6)) == colour.lower(), answer
            assert colour_name(reader.colour_at(start - 0.7)) != colour.lower(), answer
            assert colour_name(reader.colour_at(end + 0.7)) != colour.lower(), answer
            seen.append((colour.lower(), round(row["source_start"] + start)))
        assert len(STATEMENT.findall(answer)) == answer.count("\n")  # every line but the header is an event
    assert sorted(seen) == sorted((e.color, e.start) for e in EIGHT_MINUTES.events)  # each once, none lost


def test_json_answers_still_split_by_interval(repaired):
    clips = [(r, line) for r, line in repaired["rows"] if r["row_id"] == "json"]
    assert len(clips) == 2
    labels = []
    for _, line in clips:
        answer = line["contents"][1]["parts"][0]["text"]
        labels += [item["label"] for item in json.loads(answer[len("```json\n"):-len("\n```")])]
    assert sorted(labels) == sorted(e.color for e in EIGHT_MINUTES.events)
