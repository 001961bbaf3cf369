"""Read back what a run wrote to a local output folder, for the end-to-end tests."""
from __future__ import annotations

import glob
import json
import os


def read_dataset(out: str):
    """(lines, index rows, drop records, stats); each line is (split, parsed JSON, raw text).

    A run the gate refused is read from where it wrote (OUTPUT/_incoming/).
    """
    import pyarrow.parquet as pq

    from tests.conservation import written_dir
    out = written_dir(out)

    lines = []
    for split in ("train", "validation"):
        path = os.path.join(out, f"{split}.jsonl")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                lines += [(split, json.loads(line), line.rstrip("\n")) for line in handle]
    index = pq.read_table(sorted(glob.glob(os.path.join(out, "index", "*.parquet")))).to_pylist()
    with open(os.path.join(out, "drops.jsonl"), encoding="utf-8") as handle:
        drops = [json.loads(line) for line in handle]
    with open(os.path.join(out, "stats.json"), encoding="utf-8") as handle:
        stats = json.load(handle)
    return lines, index, drops, stats
