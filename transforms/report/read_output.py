"""Read a written dataset back (local or gs://): the records the report is made from.

Only the dataset's own files are read: stats.json, the index shards, drops.jsonl and the JSONL
lines (for the answers). The clips are read later, and only for the thumbnails.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from typing import Any, Iterator

import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from transforms.report.answers import LineFacts, line_facts
from transforms.core.publication import POINTER
from transforms.store import storage

SPLITS = ("train", "validation")


@dataclasses.dataclass(frozen=True)
class OutputRecords:
    dataset_dir: str
    stats: dict[str, Any]
    index: list[dict[str, Any]]          # one row per example (index/*.parquet)
    drops: list[dict[str, Any]]          # drops.jsonl
    lines: dict[str, LineFacts]          # by line_sha1, the key the index gives each line


def dataset_dir_of(output: str) -> str:
    """The folder holding stats.json: OUTPUT itself, or the run OUTPUT/LATEST names (--run_id)."""
    output = output.rstrip("/") if "://" in output else output
    if storage.exists(storage.join(output, "stats.json")):
        return output
    pointer = storage.join(output, POINTER)
    if storage.exists(pointer):
        return json.loads(storage.read_bytes(pointer))["dataset"]
    raise FileNotFoundError(f"{output} holds no stats.json (and no {POINTER}): is it a finished run's --output?")


def _matching(pattern: str) -> list[str]:
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


def read_index(dataset_dir: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in _matching(storage.join(dataset_dir, "index", "*.parquet")):
        rows += pq.read_table(io.BytesIO(storage.read_bytes(path))).to_pylist()
    return rows


def read_jsonl(uri: str) -> Iterator[str]:
    """The file's lines, streamed: a train.jsonl may be a GB, and only its answers are kept."""
    if not storage.exists(uri):
        return
    with FileSystems.open(uri, compression_type="uncompressed") as handle:
        for line in io.TextIOWrapper(handle, encoding="utf-8", newline="\n"):
            line = line.rstrip("\n")
            if line:
                yield line


def read_records(dataset_dir: str) -> OutputRecords:
    stats = json.loads(storage.read_bytes(storage.join(dataset_dir, "stats.json")))
    lines = {}
    for split in SPLITS:
        for line in read_jsonl(storage.join(dataset_dir, f"{split}.jsonl")):
            lines[hashlib.sha1(line.encode("utf-8")).hexdigest()] = line_facts(line)
    drops = [json.loads(line) for line in read_jsonl(storage.join(dataset_dir, "drops.jsonl"))]
    return OutputRecords(dataset_dir=dataset_dir, stats=stats, index=read_index(dataset_dir),
                         drops=drops, lines=lines)
