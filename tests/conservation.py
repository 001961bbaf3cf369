"""The conservation check every end-to-end test runs: every input row is in the index or the
drops, never both, never neither.

Rows are identified by where they are (manifest file and line), not by id: ids can be missing,
duplicated or unreadable, and those rows must still be accounted for.
"""
from __future__ import annotations

import glob
import json
import os
from collections import Counter
from typing import Iterable

import pyarrow.parquet as pq


def input_locations(manifest_paths: Iterable[str]) -> list[str]:
    """`path:line` of every non-blank line of JSONL manifests, as ReadManifest names them."""
    locations = []
    for path in manifest_paths:
        with open(path, "rb") as handle:
            for number, line in enumerate(handle.read().splitlines(), start=1):
                if line.strip():
                    locations.append(f"{path}:{number}")
    return locations


def written_dir(out: str) -> str:
    """Where a finished run's dataset files are: OUTPUT, or OUTPUT/_incoming/ when its gate refused them."""
    refused = os.path.join(out, "_incoming")
    return refused if os.path.exists(os.path.join(refused, "stats.json")) else out


def output_rows(out: str) -> tuple[list[dict], list[dict], dict]:
    """(index rows, row drops, stats) of a finished run, published or refused."""
    out = written_dir(out)
    parts = sorted(glob.glob(os.path.join(out, "index", "*.parquet")))
    index = pq.read_table(parts).to_pylist() if parts else []
    with open(os.path.join(out, "drops.jsonl"), encoding="utf-8") as handle:
        drops = [json.loads(line) for line in handle if line.strip()]
    with open(os.path.join(out, "stats.json"), encoding="utf-8") as handle:
        stats = json.load(handle)
    return index, [d for d in drops if d["kind"] == "row"], stats


def assert_conserved(manifest_paths: Iterable[str], out: str) -> None:
    expected = input_locations(manifest_paths)
    index, row_drops, stats = output_rows(out)
    indexed = {r["location"] for r in index}  # a row with several clips has several index rows
    dropped = Counter(d["location"] for d in row_drops)
    twice = [loc for loc, n in dropped.items() if n > 1]
    assert not twice, f"rows dropped more than once: {twice}"
    both = indexed & set(dropped)
    assert not both, f"rows both in the index and in the drops: {sorted(both)}"
    neither = set(expected) - indexed - set(dropped)
    assert not neither, f"rows in neither the index nor the drops: {sorted(neither)}"
    unknown = (indexed | set(dropped)) - set(expected)
    assert not unknown, f"index or drops name rows the manifests do not hold: {sorted(unknown)}"
    assert stats["rows_in"] == len(expected)
    assert stats["rows_out"] + stats["rows_dropped"] == len(expected)
