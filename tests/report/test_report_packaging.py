"""The installed package (what the worker image gets from `pip install .`) carries the templates."""
from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATES = os.path.join(REPO, "transforms", "report", "templates")


def test_the_build_ships_every_template(tmp_path):
    # build_py is the step that puts a wheel's (and so `pip install .`'s) files together.
    subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)], cwd=REPO,
                   check=True, capture_output=True, timeout=300)
    built = set(os.listdir(tmp_path / "transforms" / "report" / "templates"))
    assert {"report.html.j2", "report.css", "drops.html.j2", "timeline.html.j2", "strip.html.j2"} <= built
    assert built == set(os.listdir(TEMPLATES))
