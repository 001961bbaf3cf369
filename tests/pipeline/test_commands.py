"""Every entry point answers --help and -h, and refuses a flag nothing defines: run as a user types them.

Each is a subprocess from the repo's root or a scratch folder; none runs a pipeline (the flags
are checked before anything is read), so the file is fast.
"""
from __future__ import annotations

import shlex

import pytest

from tests.cli import PYTHON, REPO, command

ENTRY_POINTS = {
    "pipeline.run": [PYTHON, "-m", "pipeline.run"],
    "pipeline.validate": [PYTHON, "-m", "pipeline.validate"],
    "pipeline.convert": [PYTHON, "-m", "pipeline.convert"],
    "dev.sh": ["bash", "dev.sh"],
    "dev.sh run": ["bash", "dev.sh", "run"],
    "dev.sh bench": ["bash", "dev.sh", "bench"],
    "run_dataflow.sh": ["bash", "run_dataflow.sh"],
    "run_dataflow.sh run": ["bash", "run_dataflow.sh", "run"],
    "benchmarks/run.sh": ["bash", "benchmarks/run.sh"],
}
# What each usage must mention, so that an empty or wrong text fails.
USAGE_NAMES = {
    "pipeline.run": "--manifest", "pipeline.validate": "--media_resolution", "pipeline.convert": "--videos", "dev.sh": "bash dev.sh demo",
    "dev.sh run": "--manifest", "dev.sh bench": "--scale", "run_dataflow.sh": "--service-account",
    "run_dataflow.sh run": "--wait", "benchmarks/run.sh": "--scale",
}


@pytest.mark.parametrize("flag", ["--help", "-h"])
@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_every_entry_point_prints_its_usage_and_exits_0(name, flag):
    done = command(ENTRY_POINTS[name] + [flag], cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    assert USAGE_NAMES[name] in done.stdout, done.stdout


def test_run_dataflow_without_a_command_prints_its_usage_and_exits_2():
    done = command(["bash", "run_dataflow.sh"], cwd=REPO)
    assert done.returncode == 2 and "--service-account" in done.stderr


@pytest.mark.parametrize("typed, names", [
    ("--oversized split", "--oversized; did you mean --oversize"),
    ("--num_shard 4", "--num_shard; did you mean --num_shards"),
    ("--media-resolution LOW", "did you mean --media_resolution"),
    ("--max_drop_rat=0.2", "did you mean --max_drop_rate"),
    ("--runner DirectRunner --direct_num_worker 2", "did you mean --direct_num_workers"),
])
def test_an_unknown_pipeline_flag_is_refused_naming_the_closest(tmp_path, typed, names):
    (tmp_path / "videos.jsonl").write_text("")
    done = command([PYTHON, "-m", "pipeline.run", "--manifest", "videos.jsonl", "--output", "out",
                    *shlex.split(typed)], cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "unknown flag" in done.stderr and names in done.stderr
    assert not (tmp_path / "out").exists()  # refused before anything ran


def test_an_unknown_validate_flag_is_refused_naming_the_closest(tmp_path):
    (tmp_path / "train.jsonl").write_text("")
    done = command([PYTHON, "-m", "pipeline.validate", "train.jsonl", "--profle", "gemini-3"], cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown flag --profle; did you mean --profile" in done.stderr


def test_validate_skips_the_drop_records_a_dataset_glob_matches(tmp_path):
    # The README's `pipeline.validate 'gs://bucket/ds/*.jsonl'` also matches ds/drops.jsonl.
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "drops.jsonl").write_text('{"kind": "row", "reason": "unreadable_media"}\n')
    done = command([PYTHON, "-m", "pipeline.validate", "ds/*.jsonl"], cwd=tmp_path)
    assert "skipped ds/drops.jsonl: the pipeline's drop records, not tuning lines" in done.stderr
    assert done.returncode == 2 and "names only drop record files, no tuning file" in done.stderr


def test_beam_options_are_still_accepted(tmp_path):
    """Known Beam flags pass the check: the run goes on to read the (empty) manifest and fails its gate."""
    (tmp_path / "videos.jsonl").write_text("")
    done = command([PYTHON, "-m", "pipeline.run", "--manifest", "videos.jsonl", "--output", "out",
                    "--runner", "DirectRunner", "--direct_num_workers=1", "--num_shards", "1",
                    "--experiments", "a", "--job_name", "x"], cwd=tmp_path)
    assert "unknown flag" not in done.stderr
    assert done.returncode == 1 and "no training examples were produced" in done.stdout


def test_the_dataflow_launcher_passes_wait_to_the_job(tmp_path):
    done = command(["bash", "run_dataflow.sh", "run", "--dry-run", "--no-build", "--project", "p", "--bucket", "b",
                    "--manifest", "gs://b/m.jsonl", "--output", "gs://b/out", "--wait"], cwd=REPO)
    assert done.returncode == 0, done.stderr
    (launch,) = [shlex.split(line[2:]) for line in done.stdout.splitlines() if "pipeline.run" in line]
    assert "--wait" in launch and launch[launch.index("--runner") + 1] == "DataflowRunner"
