"""`python -m pipeline.report` as a user types it, where no browser is needed."""
from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.report", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def test_a_folder_with_no_run_is_a_clear_error(tmp_path):
    done = _report(str(tmp_path))
    assert done.returncode == 2 and "holds no stats.json" in done.stderr and "finished run" in done.stderr


def test_help_names_the_modes():
    done = _report("--help")
    assert done.returncode == 0 and "{summary,full}" in done.stdout and "--to" in done.stdout
