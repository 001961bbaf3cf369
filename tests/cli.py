"""Run the project's commands as a user types them: a subprocess, in a folder, with the README's flags."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from pipeline.synthetic_media import SILENT, make_video

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable


def command(args, cwd, timeout: float = 900, **kwargs) -> subprocess.CompletedProcess:
    """`args` run in `cwd` with the repo importable (as `pip install -e .` makes it), output captured."""
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, **kwargs)


def pipeline(module: str, *args: str, cwd) -> subprocess.CompletedProcess:
    return command([PYTHON, "-m", module, *args], cwd)


def small_manifest(folder, name: str = "videos.jsonl", prompt: str = "task", missing: int = 0) -> str:
    """A manifest of three rows on one short silent video in `folder`, plus `missing` rows whose video
    does not exist (each a drop: 1 of 4 fails the default 10% gate). Returns the manifest's name."""
    make_video(str(folder), SILENT)
    # `split: train`: the split is otherwise a hash of the video's path, here a random folder,
    # and a dataset with no training example fails the gate.
    rows = [{"id": f"row-{i}", "video_uri": SILENT.name, "prompt": f"{prompt} {i}", "split": "train",
             "annotations": [{"start": 2, "end": 5, "label": "magenta"}]} for i in range(3)]
    rows += [{"id": f"missing-{i}", "video_uri": f"nowhere-{i}.mp4", "prompt": prompt, "annotations": []}
             for i in range(missing)]
    with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    return name


def file_bytes(folder) -> dict[str, bytes]:
    """Every file under `folder` (but media/ and _incoming/), by relative path: to compare a dataset before and after."""
    found = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in ("media", "_incoming")]
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, folder)] = handle.read()
    return found
