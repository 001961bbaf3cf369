"""System instructions and multi-turn rows, end to end: written in Google's format, counted in the
token estimate, passed by Google's SDK types and by `pipeline.validate`; bad roles are drops."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.conservation import assert_conserved
from tests.dataset_files import read_dataset
from tests.genai_schema import assert_valid_tuning_line
from transforms.gemini.profiles import GEMINI_25, estimate

pytestmark = pytest.mark.e2e

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIP = VideoSpec(name="clip.mp4", seconds=8, size=(160, 120), events=(Event(2, 4, "red"),))
DEFAULT_INSTRUCTION = "You label colour events in videos."


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("conversations"))
    make_video(folder, CLIP)
    rows = [
        {"id": "annotated", "video_uri": CLIP.name, "prompt": "When is it red?",
         "annotations": [{"start": 2, "end": 4, "label": "red"}]},
        {"id": "own-instruction", "video_uri": CLIP.name, "prompt": "Describe it.", "response": "Grey, then red.",
         "system_instruction": "Answer in five words at most."},
        {"id": "chat", "video_uri": CLIP.name,
         "turns": ["What colour appears?", "Red.", {"role": "user", "text": "When?"}, "From 00:02 to 00:04."]},
        {"id": "bad-roles", "video_uri": CLIP.name, "turns": ["What colour appears?", "Red.", "When?"]},
    ]
    manifest = os.path.join(folder, "manifest.jsonl")
    with open(manifest, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    out = os.path.join(folder, "out")
    done = subprocess.run([sys.executable, "-m", "pipeline.run", "--manifest", manifest, "--output", out,
                           "--system_instruction", DEFAULT_INSTRUCTION, "--max_drop_rate", "0.3",
                           "--validation_fraction", "0"], cwd=ROOT, capture_output=True, text=True)
    lines, index, drops, stats = read_dataset(out)
    return {"done": done, "out": out, "manifest": manifest, "index": {r["row_id"]: r for r in index},
            "lines": {r["row_id"]: line for (_, line, raw), r in zip(lines, _rows_of(lines, index))},
            "drops": drops}


def _rows_of(lines, index):
    import hashlib
    by_sha = {r["line_sha1"]: r for r in index}
    return [by_sha[hashlib.sha1(raw.encode("utf-8")).hexdigest()] for _, _, raw in lines]


def test_the_run_passes_and_drops_the_row_with_bad_roles(dataset):
    assert dataset["done"].returncode == 0, dataset["done"].stderr[-2000:]
    row_drops = [(d["row_id"], d["reason"]) for d in dataset["drops"] if d["kind"] == "row"]
    assert row_drops == [("bad-roles", "malformed_row")]
    assert "last turn must be the model's" in dataset["drops"][0]["detail"]
    assert_conserved([dataset["manifest"]], dataset["out"])


def test_system_instructions_are_written_the_rows_own_winning(dataset):
    lines = dataset["lines"]
    assert lines["annotated"]["systemInstruction"] == {"parts": [{"text": DEFAULT_INSTRUCTION}]}
    assert lines["own-instruction"]["systemInstruction"] == {"parts": [{"text": "Answer in five words at most."}]}


def test_turns_are_passed_through_in_order_after_the_video(dataset):
    chat = dataset["lines"]["chat"]
    assert [c["role"] for c in chat["contents"]] == ["user", "model", "user", "model"]
    assert "fileData" in chat["contents"][0]["parts"][0]
    assert [c["parts"][-1]["text"] for c in chat["contents"]] == [
        "What colour appears?", "Red.", "When?", "From 00:02 to 00:04."]


def test_every_line_passes_googles_types(dataset):
    assert len(dataset["lines"]) == 3
    for line in dataset["lines"].values():
        assert_valid_tuning_line(line)


def test_the_estimate_counts_every_text(dataset):
    for row_id, line in dataset["lines"].items():
        texts = "".join(p["text"] for c in line["contents"] for p in c["parts"] if "text" in p)
        texts += "".join(p["text"] for p in line["systemInstruction"]["parts"])
        row = dataset["index"][row_id]
        assert row["est_tokens"] == estimate(GEMINI_25, row["duration"], True, "LOW", texts).total, row_id


def test_validate_passes_the_dataset(dataset):
    done = subprocess.run([sys.executable, "-m", "pipeline.validate", os.path.join(dataset["out"], "train.jsonl")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors" in done.stdout
