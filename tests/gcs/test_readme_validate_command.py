"""The README's `python -m pipeline.validate 'gs://...'` command on the pipeline's own output on GCS (the emulator)."""
from __future__ import annotations

import json
import shlex

import pytest

from tests.cli import PYTHON, command, small_manifest
from tests.e2e.test_readme_commands import _argv, commands
from tests.gcs.emulator import storage_client
from tests.readme_commands import RUN_GCS

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("shown", [shown for _, shown in commands(RUN_GCS)])
def test_validate_command_on_the_pipelines_own_output_on_gcs(shown, gcs_emulator, tmp_path):
    bucket = shlex.split(shown)[3].split("/")[2]  # gs://bucket/ds/*.jsonl
    if storage_client().lookup_bucket(bucket) is None:
        storage_client().create_bucket(bucket)
    manifest = small_manifest(tmp_path, "videos.jsonl")
    made = command([PYTHON, "-m", "pipeline.run", "--manifest", manifest, "--output", f"gs://{bucket}/ds",
                    "--validation_fraction", "0"], cwd=tmp_path, timeout=1800)
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-3000:]
    # As shown, without the optional [--flags]; then with them, in the brackets' values.
    plain = [arg for arg in shlex.split(shown.split(" [")[0])]
    optional = [arg for part in shown.split(" [")[1:] for arg in shlex.split(part.rstrip("] "))]
    for argv in (plain, plain + optional):
        done = command(_argv(shlex.join(argv)), cwd=tmp_path, timeout=1800)
        assert "0 errors" in done.stdout, done.stdout[-2000:] + done.stderr[-3000:]
        assert done.returncode == 0
        assert "Validated 3 lines" in done.stdout
    assert json.loads(storage_client().bucket(bucket).blob("ds/stats.json").download_as_bytes())["rows_in"] == 3
