"""Bad rows cost a drop record each, the run goes on, and the exit code follows the gate."""
import json
import os

import pytest

from pipeline.run import run
from pipeline.synthetic_media import SILENT, make_video

pytestmark = pytest.mark.e2e


def _manifest(folder) -> str:
    video = make_video(str(folder), SILENT)
    good = [{"id": f"good-{i}", "video_uri": os.path.basename(video), "prompt": f"task {i}",
             "annotations": [{"start": 2, "end": 5, "label": "magenta"}]} for i in range(4)]
    bad = [
        {"id": "no-prompt", "video_uri": "silent.mp4", "annotations": []},
        {"id": "bad-time", "video_uri": "silent.mp4", "prompt": "p", "annotations": [{"start": "ten"}]},
        {"id": "past-end", "video_uri": "silent.mp4", "prompt": "p", "annotations": [{"start": 60, "end": 62}]},
        {"id": "missing", "video_uri": "nowhere.mp4", "prompt": "p", "annotations": []},
    ]
    path = folder / "manifest.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for row in good + bad:
            handle.write(json.dumps(row) + "\n")
        handle.write("{truncated\n")
    return str(path)


@pytest.fixture(scope="module")
def bad_rows_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-rows")
    manifest = _manifest(folder)
    out = folder / "out"
    # The split hashes the source's path, here in a random tmp folder: keep every row in train.
    code = run(["--manifest", manifest, "--output", str(out), "--max_drop_rate", "1.0", "--validation_fraction", "0"])
    with open(out / "drops.jsonl", encoding="utf-8") as handle:
        drops = [json.loads(line) for line in handle]
    with open(out / "stats.json", encoding="utf-8") as handle:
        stats = json.load(handle)
    return {"manifest": manifest, "folder": folder, "code": code, "drops": drops, "stats": stats}


def test_every_bad_row_is_a_drop_with_its_reason(bad_rows_run):
    reasons = {(d["row_id"].rsplit("/", 1)[-1], d["stage"], d["reason"]) for d in bad_rows_run["drops"]}
    assert reasons == {
        ("no-prompt", "read", "missing_field"),
        ("bad-time", "read", "bad_time"),
        ("past-end", "plan", "annotation_out_of_range"),
        ("missing", "probe", "source_not_found"),
        ("manifest.jsonl:9", "read", "malformed_row"),
    }


def test_rows_add_up_and_the_lenient_gate_passes(bad_rows_run):
    stats = bad_rows_run["stats"]
    assert (stats["rows_in"], stats["rows_out"], stats["rows_dropped"]) == (9, 4, 5)
    assert bad_rows_run["code"] == 0


def test_the_default_gate_refuses_the_same_input(bad_rows_run, capsys):
    out = bad_rows_run["folder"] / "out-strict"
    code = run(["--manifest", bad_rows_run["manifest"], "--output", str(out), "--validation_fraction", "0"])
    assert code == 1
    printed = capsys.readouterr().out
    assert "Gate: FAIL" in printed and "5 of 9 rows dropped" in printed
    # Refused, and not published: the user reads what went wrong where the run wrote it.
    assert not (out / "stats.json").exists() and not (out / "train.jsonl").exists()
    assert json.load(open(out / "_incoming" / "stats.json"))["gate"]["verdict"] == "fail"
