"""What publishing a dataset does, decided over file names alone. Pure: no Beam, no I/O.

A run writes its dataset files into a folder no reader uses (OUTPUT/_incoming/, or
OUTPUT/runs/RUN_ID/ with --run_id). Only once the gate passes do they become the dataset:
copied over OUTPUT's files (stats.json last), or named by OUTPUT/LATEST. A refused or
crashed run leaves the previous dataset, and LATEST, as they were.
"""
from __future__ import annotations

import json
import posixpath
from typing import Iterable, Mapping, Sequence

# Where a run without --run_id writes before its gate passes (under OUTPUT).
STAGING = "_incoming"
STATS = "stats.json"
POINTER = "LATEST"
SPLITS = ("train", "validation")
DATASET_FILES = ("train.jsonl", "validation.jsonl", "drops.jsonl", "report.html", STATS)
DATASET_DIRS = ("shards", "index", "drops")


GATE_FAILED = "Gate: FAIL; nothing was published"


class GateFailed(RuntimeError):
    """Raised inside the pipeline after stats.json is written, so the job ends failed with the verdict."""


def is_dataset_file(relative: str) -> bool:
    """A file a run writes into its dataset folder (not media/, LATEST, runs/ or a half-written temp file)."""
    if ".tmp-" in posixpath.basename(relative):
        return False
    top, _, rest = relative.partition("/")
    return relative in DATASET_FILES or (top in DATASET_DIRS and bool(rest))


def promotion_steps(staged: Iterable[str], published: Iterable[str]) -> list[tuple[str, str]]:
    """("copy", name) and ("delete", name) steps that turn the published files into the staged ones.

    The new files go first (each replaced in one write, so a reader sees a whole old or a whole
    new file), then the previous run's files the new run does not have (validation.jsonl when
    this run has no validation examples, shards of another --num_shards), and stats.json last:
    whoever sees the new stats.json sees the whole new dataset. Every step can run twice.
    """
    new = sorted(name for name in staged if is_dataset_file(name))
    if STATS not in new:
        raise ValueError("the staged dataset has no stats.json: it is not whole")
    steps = [("copy", name) for name in new if name != STATS]
    steps += [("delete", name) for name in sorted(set(published) - set(new)) if is_dataset_file(name)]
    return steps + [("copy", STATS)]


def pointer(dataset_dir: str, existing: Mapping[str, str]) -> bytes:
    """LATEST's bytes: the run's folder and the split files it really has (`existing`: split -> path)."""
    body = {"dataset": dataset_dir}
    body.update({split: existing[split] for split in SPLITS if split in existing})
    return json.dumps(body, sort_keys=True).encode("utf-8") + b"\n"


def gate_failure(stats: Mapping, refused_dir: str) -> str:
    """The error a failed job ends with: the verdict's reasons and where the refused files are."""
    reasons: Sequence[str] = stats["gate"]["reasons"]
    return (f"{GATE_FAILED} (the previous dataset and LATEST are as they were). "
            f"Refused dataset and its stats.json: {refused_dir}. Reasons: " + "; ".join(reasons))
