"""One bad record is one drop, through `python -m pipeline.run` as a user runs it: a CSV field over
csv's 131,072-character limit costs no row, and malformed lines of a repair manifest are drop
records for those lines alone, not an exception that fails the read stage (and the job)."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.dataset_files import read_dataset

pytestmark = pytest.mark.e2e

ROOT = pathlib.Path(__file__).resolve().parents[2]
VIDEO = VideoSpec(name="short.mp4", seconds=4, size=(64, 48), fps=5, audio=False, events=(Event(1, 2, "red"),))
LONG_PROMPT = "Describe every frame in detail. " * 5_000  # 160,000 characters


def _example(video_part: dict, answer: str = "Red at 00:01.") -> dict:
    return {"contents": [{"role": "user", "parts": [video_part, {"text": "When is it red?"}]},
                         {"role": "model", "parts": [{"text": answer}]}]}


def _video(uri: str, **extra) -> dict:
    return {"fileData": {"fileUri": uri, "mimeType": "video/mp4"}, **extra}


MALFORMED = {  # line of the repair manifest -> the reason it is dropped with
    2: ("non-numeric startOffset", lambda uri: _example(_video(uri, videoMetadata={"startOffset": "soon"})),
        "bad_time"),
    3: ("proto offset, non-numeric", lambda uri: _example(_video(uri, videoMetadata={"endOffset": {"seconds": "x"}})),
        "bad_time"),
    4: ("fileData not an object", lambda uri: _example({"fileData": uri}), "malformed_row"),
    5: ("videoMetadata not an object", lambda uri: _example(_video(uri, videoMetadata="0s-4s")), "malformed_row"),
    6: ("parts not a list", lambda uri: {"contents": [{"role": "user", "parts": 7}]}, "malformed_row"),
}


@pytest.fixture(scope="module")
def run_output(tmp_path_factory):
    folder = tmp_path_factory.mktemp("records")
    video = make_video(str(folder), VIDEO)
    csv_path = folder / "rows.csv"
    annotations = json.dumps([VIDEO.events[0].annotation()]).replace('"', '""')
    csv_path.write_text("id,video_uri,prompt,annotations\n"
                        f'csv-1,{VIDEO.name},When is it red?,"{annotations}"\n'
                        f'csv-2,{VIDEO.name},"{LONG_PROMPT}","{annotations}"\n'  # the field over the limit
                        f'csv-3,{VIDEO.name},When is it red?,"{annotations}"\n', encoding="utf-8")
    repair_path = folder / "old-train.jsonl"
    lines = [dict(_example(_video(video)), id="repair-good")]
    lines += [dict(make(video), id=f"repair-{n}") for n, (_, make, _) in sorted(MALFORMED.items())]
    repair_path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = folder / "out"
    done = subprocess.run([sys.executable, "-m", "pipeline.run", "--manifest", f"{csv_path},{repair_path}",
                           "--output", str(out), "--max_drop_rate", "1.0", "--validation_fraction", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    _, index, drops, stats = read_dataset(str(out))
    return {"index": index, "drops": drops, "stats": stats, "csv": str(csv_path), "repair": str(repair_path)}


def test_every_row_of_the_csv_is_read_the_long_field_included(run_output):
    ids = sorted(r["row_id"] for r in run_output["index"])
    assert [i for i in ids if i.startswith("csv-")] == ["csv-1", "csv-2", "csv-3"]
    assert not [d for d in run_output["drops"] if d["location"].startswith(run_output["csv"])]


def test_each_malformed_repair_line_is_its_own_drop(run_output):
    drops = {d["location"]: d["reason"] for d in run_output["drops"] if d["kind"] == "row"}
    assert drops == {f"{run_output['repair']}:{n}": reason for n, (_, _, reason) in MALFORMED.items()}
    assert "repair-good" in {r["row_id"] for r in run_output["index"]}


def test_the_gate_counts_every_row(run_output):
    stats = run_output["stats"]
    assert stats["rows_in"] == 3 + 1 + len(MALFORMED)
    assert (stats["rows_out"], stats["rows_dropped"]) == (4, len(MALFORMED))
    assert stats["gate"]["verdict"] == "pass"
