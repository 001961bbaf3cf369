"""WriteDataset: the tuning files, their shards, the index, the drops and the statistics.

Layout under the output folder (the README documents it):
  train.jsonl, validation.jsonl      what a tuning job is pointed at
  shards/{split}-NNNNN-of-NNNNN.jsonl  the same lines, sharded
  index/part-NNNNN-of-NNNNN.parquet    one row per example (per video of it): where it came from
  drops.jsonl, drops/part-*.jsonl      one row per dropped row or clip
  stats.json                           the statistics and the gate's verdict
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Callable, Iterable, Optional

import apache_beam as beam

from transforms.core import dataset_files as F
from transforms.core import stats as S
from transforms.store import storage
from transforms.core.dataset_limits import DatasetTargets
from transforms.core.types import Drop, Example


class _WriteShardFn(beam.DoFn):
    """((name prefix, shard), records) -> (name prefix, path) after writing the shard file."""

    def __init__(self, folder: str, num_shards: int, suffix: str, to_bytes):
        self._folder = folder
        self._num_shards = num_shards
        self._suffix = suffix
        self._to_bytes = to_bytes

    def process(self, element):
        (prefix, shard), records = element
        path = storage.join(self._folder, F.shard_name(prefix, shard, self._num_shards, self._suffix))
        storage.write_bytes(path, self._to_bytes(records))
        yield prefix, path


def _example_lines(examples: Iterable[Example]) -> bytes:
    return F.jsonl_bytes(e.line for e in sorted(examples, key=lambda e: e.sort_key))


def write_split_file(split_shards: tuple[str, Iterable[str]], output: str) -> None:
    """OUTPUT/{split}.jsonl from (split, its shards' paths), in shard order."""
    split, shard_paths = split_shards
    storage.concat(sorted(shard_paths), storage.join(output, f"{split}.jsonl"))


def write_drops_file(shard_paths: Iterable[str], output: str) -> None:
    """OUTPUT/drops.jsonl from its shards."""
    storage.concat(sorted(shard_paths), storage.join(output, "drops.jsonl"))


def write_stats_file(stats: dict, output: str, *written_files) -> dict:
    """OUTPUT/stats.json; `written_files` are the side inputs it waits for. The stats pass on to
    the publication step (PublishDataset), which publishes them or fails the job."""
    storage.write_bytes(storage.join(output, "stats.json"),
                        json.dumps(stats, indent=2, sort_keys=True).encode())
    return stats


def _sharded(records, label: str, keyed: Callable[[Any], tuple], folder: str, num_shards: int, suffix: str,
             to_bytes):
    """`keyed(record)` -> ((prefix, shard), value); groups and writes each shard; yields (prefix, path)."""
    return (records
            | f"Key{label}ByShard" >> beam.Map(keyed)
            | f"Group{label}Shards" >> beam.GroupByKey()
            | f"Write{label}Shards" >> beam.ParDo(_WriteShardFn(folder, num_shards, suffix, to_bytes)))


@dataclasses.dataclass
class WriteSplits(beam.PTransform):
    """Example -> shards/{split}-*.jsonl and {split}.jsonl; emits one element per split file written."""

    output: str
    num_shards: int

    def expand(self, examples):
        out, n = self.output, self.num_shards
        return (_sharded(examples, "Example", lambda e: ((e.split, F.shard_of(e.sort_key, n)), e),
                         storage.join(out, "shards"), n, ".jsonl", _example_lines)
                | "GroupShardsBySplit" >> beam.GroupByKey()
                | "WriteSplitFiles" >> beam.Map(write_split_file, out))


@dataclasses.dataclass
class WriteIndex(beam.PTransform):
    """Example -> index/part-*.parquet (one row per example and video: where it came from)."""

    output: str
    num_shards: int

    def expand(self, examples):
        n = self.num_shards
        # An example of several videos has a row per video, all in its shard.
        rows = examples | "IndexRows" >> beam.FlatMap(lambda e: [(e.sort_key, row) for row in e.index_rows])
        return _sharded(rows, "Index", lambda keyed: (("part", F.shard_of(keyed[0], n)), keyed[1]),
                        storage.join(self.output, "index"), n, ".parquet", F.index_parquet_bytes)


@dataclasses.dataclass
class WriteDrops(beam.PTransform):
    """Drop dicts -> drops/part-*.jsonl and drops.jsonl; emits one element once drops.jsonl is written."""

    output: str
    num_shards: int

    def expand(self, drop_dicts):
        out, n = self.output, self.num_shards
        return (_sharded(drop_dicts, "Drop", lambda d: (("part", F.shard_of(F.drop_sort_key(d), n)), d),
                         storage.join(out, "drops"), n, ".jsonl", F.drops_jsonl_bytes)
                | "DropShardPaths" >> beam.Values()
                | "AllDropShards" >> beam.combiners.ToList()
                | "WriteDropsFile" >> beam.Map(write_drops_file, out))


class _StatsFn(beam.CombineFn):
    def __init__(self, max_bytes: int, max_seconds: float):
        self._max_bytes = max_bytes
        self._max_seconds = max_seconds

    def create_accumulator(self):
        return S.empty()

    def add_input(self, acc, item):
        kind, value = item
        if kind == "example":
            first, *more = value
            return S.add_example(acc, first, self._max_bytes, self._max_seconds, more)
        if kind == "drop":
            return S.add_drop(acc, value)
        if kind == "clip":
            return S.add_clip(acc, value.action.value, value.duration, value.bytes, value.reused,
                              value.source_bytes_downloaded, [cause.value for cause in value.causes])
        return S.add_source(acc, value.seconds, value.bytes, value.probe_reused, value.probe_bytes_read)

    def merge_accumulators(self, accs):
        return S.merge(accs)

    def extract_output(self, acc):
        return acc


@dataclasses.dataclass
class WriteStats(beam.PTransform):
    """("example"|"drop"|"source"|"clip", record) -> stats.json, written once every `after` file is.

    A reader that sees stats.json sees a complete dataset: the side inputs make it wait.
    """

    output: str
    max_drop_rate: float
    max_bytes: int
    max_seconds: Any  # one limit, or one per resolution
    targets: Optional[DatasetTargets]
    rows_in: Any  # the manifest's row count (a singleton PCollection)
    after: tuple = ()

    def expand(self, tagged):
        out, max_drop_rate, targets = self.output, self.max_drop_rate, self.targets
        waits = [beam.pvalue.AsList(files) for files in self.after]
        return (tagged
                | "Statistics" >> beam.CombineGlobally(_StatsFn(self.max_bytes, self.max_seconds))
                | "Gate" >> beam.Map(lambda acc, rows_in: S.finalize(acc, rows_in, max_drop_rate, targets),
                                     rows_in=beam.pvalue.AsSingleton(self.rows_in))
                | "WriteStats" >> beam.Map(write_stats_file, out, *waits))


@dataclasses.dataclass
class WriteDataset(beam.PTransform):
    """{examples, drops, sources, count, clips} -> every dataset file; stats.json last.

    `max_seconds`: one limit, or one per resolution; `targets`: the dataset-wide limits and cost.
    Emits one element once stats.json is written.
    """

    output: str
    num_shards: int
    max_drop_rate: float
    max_bytes: int
    max_seconds: Any
    targets: Optional[DatasetTargets] = None

    def expand(self, inputs):
        examples, drops = inputs["examples"], inputs["drops"]
        out, n = self.output, self.num_shards
        drop_dicts = drops | "DropsAsJson" >> beam.Map(Drop.to_json)
        split_files = examples | "WriteSplits" >> WriteSplits(out, n)
        index_shards = examples | "WriteIndex" >> WriteIndex(out, n)
        drops_file = drop_dicts | "WriteDrops" >> WriteDrops(out, n)
        tagged = (
            (examples | "TagExamples" >> beam.Map(lambda e: ("example", e.index_rows)),
             drop_dicts | "TagDrops" >> beam.Map(lambda d: ("drop", d)),
             inputs["sources"] | "TagSources" >> beam.Map(lambda s: ("source", s)),
             inputs["clips"] | "TagClips" >> beam.Map(lambda c: ("clip", c)))
            | "AllRecords" >> beam.Flatten())
        return tagged | "WriteStats" >> WriteStats(out, self.max_drop_rate, self.max_bytes, self.max_seconds,
                                                   self.targets, inputs["count"],
                                                   after=(split_files, index_shards, drops_file))
