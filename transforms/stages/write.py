"""WriteDataset: the tuning files, their shards, the index, the drops and the statistics.

Layout under the output folder (the README documents it):
  train.jsonl, validation.jsonl      what a tuning job is pointed at
  shards/{split}-NNNNN-of-NNNNN.jsonl  the same lines, sharded
  index/part-NNNNN-of-NNNNN.parquet    one row per example: where it came from
  drops.jsonl, drops/part-*.jsonl      one row per dropped row or clip
  stats.json                           the statistics and the gate's verdict
"""
from __future__ import annotations

import json
from typing import Iterable, Optional

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


def _concat_into(output: str, name_for):
    def concat(element):
        prefix, paths = element
        storage.concat(sorted(paths), storage.join(output, name_for(prefix)))
    return concat


class _StatsFn(beam.CombineFn):
    def __init__(self, max_bytes: int, max_seconds: float):
        self._max_bytes = max_bytes
        self._max_seconds = max_seconds

    def create_accumulator(self):
        return S.empty()

    def add_input(self, acc, item):
        kind, value = item
        if kind == "example":
            return S.add_example(acc, value, self._max_bytes, self._max_seconds)
        if kind == "drop":
            return S.add_drop(acc, value)
        if kind == "clip":
            return S.add_clip(acc, value.action.value, value.duration, value.bytes, value.reused,
                              value.source_bytes_downloaded)
        return S.add_source(acc, value.seconds, value.bytes, value.probe_reused, value.probe_bytes_read)

    def merge_accumulators(self, accs):
        return S.merge(accs)

    def extract_output(self, acc):
        return acc


class WriteDataset(beam.PTransform):
    def __init__(self, output: str, num_shards: int, max_drop_rate: float, max_bytes: int,
                 max_seconds, targets: Optional[DatasetTargets] = None):
        """`max_seconds`: one limit, or one per resolution; `targets`: the dataset-wide limits and cost."""
        super().__init__()
        self._targets = targets
        self._output = output
        self._n = num_shards
        self._max_drop_rate = max_drop_rate
        self._max_bytes = max_bytes
        self._max_seconds = max_seconds

    def expand(self, inputs):
        examples, drops = inputs["examples"], inputs["drops"]
        sources, count, clips = inputs["sources"], inputs["count"], inputs["clips"]
        out, n, max_drop_rate, targets = self._output, self._n, self._max_drop_rate, self._targets
        drop_dicts = drops | "DropsAsJson" >> beam.Map(Drop.to_json)

        split_files = (examples
                       | "KeyExamplesByShard" >> beam.Map(lambda e: ((e.split, F.shard_of(e.sort_key, n)), e))
                       | "GroupExampleShards" >> beam.GroupByKey()
                       | "WriteExampleShards" >> beam.ParDo(_WriteShardFn(storage.join(out, "shards"), n, ".jsonl", _example_lines))
                       | "GroupShardsBySplit" >> beam.GroupByKey()
                       | "WriteSplitFiles" >> beam.Map(_concat_into(out, lambda split: f"{split}.jsonl")))

        index_shards = (examples
                        | "KeyIndexByShard" >> beam.Map(lambda e: (("part", F.shard_of(e.sort_key, n)), e.index))
                        | "GroupIndexShards" >> beam.GroupByKey()
                        | "WriteIndexShards" >> beam.ParDo(_WriteShardFn(storage.join(out, "index"), n, ".parquet",
                                                                         F.index_parquet_bytes)))

        drops_file = (drop_dicts
                      | "KeyDropsByShard" >> beam.Map(lambda d: (("part", F.shard_of(F.drop_sort_key(d), n)), d))
                      | "GroupDropShards" >> beam.GroupByKey()
                      | "WriteDropShards" >> beam.ParDo(_WriteShardFn(storage.join(out, "drops"), n, ".jsonl",
                                                                      F.drops_jsonl_bytes))
                      | "DropShardPaths" >> beam.Map(lambda kv: kv[1])
                      | "AllDropShards" >> beam.combiners.ToList()
                      | "WriteDropsFile" >> beam.Map(lambda paths: storage.concat(sorted(paths), storage.join(out, "drops.jsonl"))))

        tagged = (
            (examples | "TagExamples" >> beam.Map(lambda e: ("example", e.index)),
             drop_dicts | "TagDrops" >> beam.Map(lambda d: ("drop", d)),
             sources | "TagSources" >> beam.Map(lambda s: ("source", s)),
             clips | "TagClips" >> beam.Map(lambda c: ("clip", c)))
            | "AllRecords" >> beam.Flatten())
        # stats.json is written last, once every other file is whole (the side inputs wait for
        # them): a reader that sees stats.json sees a complete dataset.
        written = [beam.pvalue.AsList(split_files), beam.pvalue.AsList(index_shards),
                   beam.pvalue.AsList(drops_file)]
        return (tagged
                | "Statistics" >> beam.CombineGlobally(_StatsFn(self._max_bytes, self._max_seconds))
                | "Gate" >> beam.Map(lambda acc, rows_in: S.finalize(acc, rows_in, max_drop_rate, targets),
                                     rows_in=beam.pvalue.AsSingleton(count))
                | "WriteStats" >> beam.Map(_write_stats, out, *written))


def _write_stats(stats: dict, out: str, *_written) -> dict:
    """Write stats.json (the run's last file) and pass the stats on to the publication step."""
    storage.write_bytes(storage.join(out, "stats.json"), json.dumps(stats, indent=2, sort_keys=True).encode())
    return stats
