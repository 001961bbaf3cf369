"""Checks of a finished local output after a fault: the same bytes as a clean run, every clip
whole, no temporary file left, no `_meta` naming a clip that is missing or not the one measured.
"""
from __future__ import annotations

import filecmp
import fnmatch
import glob
import json
import os
import subprocess
import sys

from transforms.store.local_files import is_temporary

# The files a rerun must reproduce byte for byte (stats.json differs by design: clips made/reused).
DATASET_GLOBS = ("train.jsonl", "validation.jsonl", "drops.jsonl", "shards/*", "index/*", "drops/*")
MEDIA_PREFIX = "gs://fixed-media-prefix/media"  # --media_uri_prefix: the lines do not name the folder


def dataset_files(out: str) -> list[str]:
    found = []
    for pattern in DATASET_GLOBS:
        found += [os.path.relpath(p, out) for p in glob.glob(os.path.join(out, pattern))]
    return sorted(found)


def dataset_files_of(names) -> list[str]:
    """Those of these relative names that are dataset files (DATASET_GLOBS)."""
    return sorted(n for n in names if any(fnmatch.fnmatch(n, p) for p in DATASET_GLOBS))


def differences(clean: str, other: str) -> list[str]:
    """The dataset files that are missing from one side or differ in a single byte."""
    a, b = dataset_files(clean), dataset_files(other)
    problems = [f"only in the clean run: {n}" for n in sorted(set(a) - set(b))]
    problems += [f"only after the fault: {n}" for n in sorted(set(b) - set(a))]
    problems += [f"differs: {n}" for n in sorted(set(a) & set(b))
                 if not filecmp.cmp(os.path.join(clean, n), os.path.join(other, n), shallow=False)]
    return problems


def temporary_files(folder: str) -> list[str]:
    return sorted(os.path.join(root, n) for root, _, names in os.walk(folder) for n in names
                  if is_temporary(n) or n.endswith(".part") or ".part-" in n)


_DURATIONS = """
import json, sys
from tests.media_checks import media_duration
result = {}
for path in json.loads(sys.stdin.read()):
    try:
        result[path] = media_duration(path)
    except Exception as err:
        result[path] = repr(err)
print(json.dumps(result))
"""


def media_durations(paths: list[str]) -> dict:
    """What PyAV plays of each file (seconds), or why it cannot: read in a child, as untrusted."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, "-c", _DURATIONS], input=json.dumps(paths).encode(),
                          capture_output=True, cwd=root, timeout=600)
    if done.returncode != 0:
        return {p: f"the reader exited {done.returncode}: {done.stderr.decode()[-300:]}" for p in paths}
    return json.loads(done.stdout)


def clip_problems(out: str, tolerance: float = 0.15) -> list[str]:
    """Every clip the index names exists, plays, and lasts what the index says; every `_meta`
    names a clip that exists with the bytes it records."""
    import pyarrow.parquet as pq

    problems = []
    parts = sorted(glob.glob(os.path.join(out, "index", "*.parquet")))
    index = pq.read_table(parts).to_pylist() if parts else []
    wanted = {}
    for row in index:
        local = os.path.join(out, "media", row["file_uri"][len(MEDIA_PREFIX) + 1:])
        if not os.path.exists(local):
            problems.append(f"the index names a missing clip: {row['file_uri']}")
        elif os.path.getsize(local) != row["bytes"] and row["action"] != "virtual":
            problems.append(f"{local}: {os.path.getsize(local)} bytes, the index says {row['bytes']}")
        else:
            wanted[local] = row
    played = media_durations(sorted(wanted))
    for path, row in wanted.items():
        seconds = played.get(path)
        if not isinstance(seconds, float):
            problems.append(f"{path} does not play: {seconds}")
        elif abs(seconds - row["duration"]) > tolerance:
            problems.append(f"{path} plays {seconds:.3f}s, the index says {row['duration']:.3f}s")
    for meta_path in glob.glob(os.path.join(out, "media", "_meta", "*.json")):
        with open(meta_path, encoding="utf-8") as handle:
            meta = json.load(handle)
        clip = os.path.join(out, "media", os.path.basename(meta_path)[:-len(".json")])
        if not os.path.exists(clip):
            problems.append(f"stale _meta: {meta_path} names a missing clip")
        elif meta["action"] != "virtual" and os.path.getsize(clip) != meta["bytes"]:
            problems.append(f"stale _meta: {meta_path} says {meta['bytes']} bytes, the clip has "
                            f"{os.path.getsize(clip)}")
    return problems
