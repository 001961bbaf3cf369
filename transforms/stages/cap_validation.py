"""CapValidation: at most N validation examples; the excess moves to train, whole videos at a time."""
from __future__ import annotations

import dataclasses

import apache_beam as beam

from transforms.core.dataset_limits import sources_to_move
from transforms.core.types import Example


def _to_train(example: Example, moved: frozenset[str]) -> Example:
    if example.split != "validation" or example.index["source_uri"] not in moved:
        return example
    return dataclasses.replace(example, split="train", index={**example.index, "split": "train"},
                               more_index=tuple({**i, "split": "train"} for i in example.more_index))


@dataclasses.dataclass
class CapValidation(beam.PTransform):
    """Example -> Example, with validation cut to `cap` examples (deterministically: see sources_to_move)."""

    cap: int

    def expand(self, examples):
        cap = self.cap
        moved = (examples
                 | "ValidationSources" >> beam.FlatMap(
                     lambda e: [(e.index["source_uri"], 1)] if e.split == "validation" else [])
                 | "CountPerSource" >> beam.CombinePerKey(sum)
                 | "AllSourceCounts" >> beam.combiners.ToList()
                 | "ChooseMoves" >> beam.Map(lambda counts: sources_to_move(counts, cap)))
        return examples | "MoveExcessToTrain" >> beam.Map(_to_train, moved=beam.pvalue.AsSingleton(moved))
