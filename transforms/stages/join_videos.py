"""Rows of several videos (`video_uris`): split into one part row per video, and joined again.

`SplitVideoRows` sends each video of such a row through the stages on its own (probe, plan, cut,
build) as a part row (core/video_parts.py), and drops the rows the profile refuses.
`JoinVideoParts` meets each row with its built parts and the drops of its parts, by row id: one
example with every video, or one drop for the row. The drops of one-video rows pass through.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable

import apache_beam as beam

from transforms.core import video_parts as P
from transforms.core.types import Drop, ManifestRow
from transforms.stages.build_examples import ExampleSettings, multi_video_example

DROPS = "drops"
PARENTS = "parents"


def split_row(row: ManifestRow, videos_per_example: int, profile_name: str):
    """A one-video row as it is; a row of several: its part rows, and itself under PARENTS."""
    if not P.is_multi(row):
        yield row
        return
    refused = P.too_many_videos(row, videos_per_example, profile_name)
    if refused:
        yield beam.pvalue.TaggedOutput(DROPS, refused)
        return
    yield beam.pvalue.TaggedOutput(PARENTS, (row.row_id, row))
    yield from P.part_rows(row)


class _JoinFn(beam.DoFn):
    def __init__(self, settings: ExampleSettings):
        self._settings = settings

    def process(self, element: tuple[str, dict[str, Iterable]]):
        _, grouped = element
        parents = list(grouped[PARENTS])
        drops = list(grouped[DROPS])
        if not parents:  # a one-video row's drop: nothing to join
            for drop in drops:
                yield beam.pvalue.TaggedOutput(DROPS, drop)
            return
        row = parents[0]  # ids are unique by now (ReadManifest drops duplicates)
        parts = P.assemble(row, list(grouped["parts"]), drops)
        outcome = parts if isinstance(parts, Drop) else multi_video_example(row, parts, self._settings)
        if isinstance(outcome, Drop):
            yield beam.pvalue.TaggedOutput(DROPS, outcome)
        else:
            yield outcome


@dataclasses.dataclass
class JoinVideoParts(beam.PTransform):
    """{parents: (id, row), parts: (id, BuiltPart), drops: Drop of a row} -> Example; tagged `drops`.

    `drops` are the row drops of the stages part rows pass through (probe, plan, build): a one-video
    row's come out as they are, a several-video row's become its one drop.
    """

    settings: ExampleSettings

    def expand(self, inputs):
        keyed = {PARENTS: inputs[PARENTS], "parts": inputs["parts"],
                 DROPS: inputs[DROPS] | "KeyDropsByRow" >> beam.Map(lambda d: (d.row_id, d))}
        return (keyed
                | "JoinByRow" >> beam.CoGroupByKey()
                | "Join" >> beam.ParDo(_JoinFn(self.settings)).with_outputs(DROPS, main="examples"))


@dataclasses.dataclass
class SplitVideoRows(beam.PTransform):
    """ManifestRow -> rows to probe (one-video rows and part rows); tagged `parents` (id, row), `drops`."""

    videos_per_example: int
    profile_name: str

    def expand(self, rows):
        return rows | "SplitVideos" >> beam.FlatMap(split_row, self.videos_per_example,
                                                    self.profile_name).with_outputs(DROPS, PARENTS, main="rows")
