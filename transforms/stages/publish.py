"""PointLatest: after a run's dataset is whole, make OUTPUT/LATEST name its folder.

A scheduled run writes under OUTPUT/runs/RUN_ID/, which no reader uses until LATEST moves;
LATEST is one small object replaced in a single write, so a reader sees the old run or the
new one, never half of one. Media stay in OUTPUT/media/, shared by every run.
"""
from __future__ import annotations

import dataclasses
import json

import apache_beam as beam

from transforms.store import storage

POINTER = "LATEST"


def pointer_bytes(dataset_dir: str) -> bytes:
    return json.dumps({"dataset": dataset_dir, "train": storage.join(dataset_dir, "train.jsonl"),
                       "validation": storage.join(dataset_dir, "validation.jsonl")},
                      sort_keys=True).encode("utf-8") + b"\n"


@dataclasses.dataclass
class PointLatest(beam.PTransform):
    """Input: the one element WriteDataset emits once stats.json (its last file) is written."""

    output: str
    dataset_dir: str

    def expand(self, stats_written):
        output, dataset_dir = self.output, self.dataset_dir
        return stats_written | "WritePointer" >> beam.Map(
            lambda _: storage.write_bytes(storage.join(output, POINTER), pointer_bytes(dataset_dir)))
