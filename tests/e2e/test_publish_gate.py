"""The gate guards publication: a refused or crashed rerun leaves the previous dataset and LATEST.

Every run here is `python -m pipeline.run` as a subprocess with the README's flags on the
default runner (DirectRunner, multi_processing), into an output that already holds a dataset.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from tests.cli import PYTHON, REPO, file_bytes, pipeline, small_manifest

pytestmark = pytest.mark.e2e

FLAGS = ("--validation_fraction", "0", "--num_shards", "2")


def _run(folder, manifest, *extra):
    return pipeline("pipeline.run", "--manifest", manifest, "--output", "out", *FLAGS, *extra, cwd=folder)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """An output holding one passing dataset, and its files' bytes."""
    folder = tmp_path_factory.mktemp("publication")
    done = _run(folder, small_manifest(folder))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "clips cut" not in done.stderr  # no progress line when stderr is not a terminal
    before = file_bytes(folder / "out")
    assert "train.jsonl" in before and json.loads(before["stats.json"])["gate"]["verdict"] == "pass"
    return folder, before


def test_a_failing_rerun_exits_1_with_the_verdict_and_keeps_the_dataset(published):
    folder, before = published
    done = _run(folder, small_manifest(folder, "bad.jsonl", prompt="other", missing=1))
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Gate: FAIL" in done.stdout and "1 of 4 rows dropped" in done.stdout
    assert "Nothing was published" in done.stdout
    assert file_bytes(folder / "out") == before  # train.jsonl, stats.json, shards, index, drops
    refused = json.loads((folder / "out" / "_incoming" / "stats.json").read_text())
    assert refused["gate"]["verdict"] == "fail" and refused["rows_in"] == 4


def test_a_crashed_rerun_keeps_the_dataset(published):
    folder, before = published
    manifest = small_manifest(folder, "other.jsonl", prompt="another task")
    env = dict(os.environ, PYTHONPATH=REPO)
    job = subprocess.Popen([PYTHON, "-m", "pipeline.run", "--manifest", manifest, "--output", "out", *FLAGS],
                           cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    # Killed once it is writing its dataset files (or after 20 s): a crash mid-run.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and job.poll() is None and not (folder / "out" / "_incoming").exists():
        time.sleep(0.05)
    os.killpg(job.pid, signal.SIGKILL)
    assert job.wait() == -signal.SIGKILL  # it had not finished
    assert file_bytes(folder / "out") == before


def test_a_passing_rerun_replaces_the_dataset_whole(published, tmp_path):
    folder, before = published
    done = _run(folder, small_manifest(folder, "new.jsonl", prompt="new task"), "--num_shards", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    after = file_bytes(folder / "out")
    assert b"new task" in after["train.jsonl"] and b"new task" not in before["train.jsonl"]
    # The previous run's shards of another --num_shards are gone; no staging folder is left.
    assert sorted(n for n in after if n.startswith("shards")) == ["shards/train-00000-of-00001.jsonl"]
    assert not (folder / "out" / "_incoming").exists()


def test_latest_moves_only_on_a_pass_and_names_only_files_that_exist(tmp_path):
    good = _run(tmp_path, small_manifest(tmp_path), "--run_id", "r1")
    assert good.returncode == 0, good.stderr[-3000:]
    latest = json.loads((tmp_path / "out" / "LATEST").read_text())
    # No validation examples (--validation_fraction 0): LATEST names no validation.jsonl.
    assert set(latest) == {"dataset", "train"}
    assert (tmp_path / latest["train"]).exists() and latest["dataset"].endswith(os.path.join("runs", "r1"))
    pointer = (tmp_path / "out" / "LATEST").read_bytes()
    bad = _run(tmp_path, small_manifest(tmp_path, "bad.jsonl", missing=1), "--run_id", "r2")
    assert bad.returncode == 1 and "Gate: FAIL" in bad.stdout
    assert (tmp_path / "out" / "LATEST").read_bytes() == pointer
    assert json.loads((tmp_path / "out" / "runs" / "r2" / "stats.json").read_text())["gate"]["verdict"] == "fail"
