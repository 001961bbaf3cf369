"""The README's commands, run as shown: subprocesses, its flags, the default runner.

tests/readme_commands.py reads them from README.md's code blocks and says how each is run;
a documented command that breaks fails here. `bash dev.sh X` and `python -m X` are run from a
scratch folder (dev.sh by its path in this checkout), so relative paths mean what they say.
"""
from __future__ import annotations

import os
import shlex

import pytest

from tests.cli import PYTHON, REPO, command, small_manifest
from tests.readme_commands import MANIFEST, RUN_DRY, RUN_LOCAL, readme_commands

pytestmark = pytest.mark.e2e


def _argv(shown: str) -> list[str]:
    """The command as a user of this checkout types it: dev.sh by its path, `python` the venv's."""
    args = shlex.split(shown)
    if args[:2] == ["bash", "dev.sh"] or args[:2] == ["bash", "run_dataflow.sh"]:
        args[1] = os.path.join(REPO, args[1])
    if args[0] == "python":
        args[0] = PYTHON
    return args


def commands(how: str) -> list[tuple[list[str], str]]:
    return [(variables, shown) for variables, shown in readme_commands() if MANIFEST.get(shown) == how]


@pytest.mark.parametrize("shown", [shown for _, shown in commands(RUN_LOCAL)])
def test_local_command_runs_and_its_output_validates(shown, tmp_path):
    small_manifest(tmp_path, "videos.jsonl")
    small_manifest(tmp_path, "manifest.jsonl")
    done = command(_argv(shown), cwd=tmp_path, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "Gate: PASS" in done.stdout
    out = tmp_path / ("demo-output" if shown == "bash dev.sh demo" else "out")
    assert (out / "train.jsonl").stat().st_size > 0 and (out / "stats.json").exists()
    # Issue 16 item 1: `python -m pipeline.validate PATH` on the pipeline's own output, as a subprocess.
    splits = [str(out / f"{s}.jsonl") for s in ("train", "validation") if (out / f"{s}.jsonl").exists()]
    checked = command([PYTHON, "-m", "pipeline.validate", ",".join(splits)], cwd=tmp_path, timeout=1800)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-3000:]
    assert "0 errors" in checked.stdout


@pytest.mark.parametrize("variables, shown", commands(RUN_DRY))
def test_dry_run_command_prints_the_launch(variables, shown, tmp_path):
    # As typed in a shell after the block's variable lines, so $PROJECT and $BUCKET expand.
    script = "; ".join(variables + [shown.replace("bash run_dataflow.sh", f"bash {shlex.quote(REPO)}/run_dataflow.sh", 1)])
    done = command(["bash", "-c", script], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    launch = [line for line in done.stdout.splitlines() if "-m pipeline.run" in line]
    assert len(launch) == 1 and "--runner DataflowRunner" in launch[0]
    assert "gs://my-bucket/manifests/videos.jsonl" in launch[0]
