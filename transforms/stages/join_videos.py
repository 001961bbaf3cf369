"""Rows of several videos (`video_uris`): split into one part row per video, and joined again.

`SplitVideoRows` sends each video of such a row through the stages on its own (probe, plan, cut,
build) as a part row (core/video_parts.py), and drops the rows the profile refuses.
`JoinVideoParts` meets each row with its built parts and the drops of its parts, by row id: one
example with every video, or one drop for the row. The drops of one-video rows pass through.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Sequence, Union

import apache_beam as beam

from transforms.core import video_parts as P
from transforms.core.budget import example_tokens
from transforms.core.conversation import extra_text
from transforms.core.types import Action, BuiltPart, Drop, DropReason, Example, ManifestRow, Stage
from transforms.gemini import examples as E
from transforms.stages.build_examples import ExampleSettings

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


def multi_video_example(row: ManifestRow, parts: Sequence[BuiltPart], settings: ExampleSettings) -> Union[Example, Drop]:
    """One example with every video part in order, then the row's prompt; its answer passed through."""
    fps = row.fps or settings.fps
    per_part = settings.profile.per_part_resolution
    videos = [E.video_part(p.file_uri, p.clip.mime_type, fps, p.resolution if per_part else None,
                           (p.clip.source_start, p.clip.source_end) if p.clip.action is Action.VIRTUAL else None)
              for p in parts]
    answer = row.response or ""
    line = E.videos_line(videos, row.prompt, answer, settings.media_resolution,
                         system_instruction=row.system_instruction, turns=row.turns)
    text = row.prompt + answer + extra_text(row.system_instruction, row.turns)
    tokens = example_tokens(settings.profile, [(p.clip.duration, p.clip.has_audio, p.resolution) for p in parts],
                            text, fps)
    if settings.max_example_tokens and tokens > settings.max_example_tokens:
        seconds = sum(p.clip.duration for p in parts)
        return Drop(row_id=row.row_id, source_uri=row.video_uri, stage=Stage.BUILD,
                    reason=DropReason.OVER_TOKEN_BUDGET,
                    detail=f"its {len(parts)} videos ({seconds:.1f}s in all) make an example of about {tokens:,} "
                           f"tokens, over --max_example_tokens {settings.max_example_tokens:,}; use fewer or "
                           "shorter videos, or LOW", location=row.location)
    split = E.assign_split(row.video_uri, row.split, settings.validation_fraction)
    whole = {"split": split, "est_tokens": tokens, "line_sha1": E.line_sha1(line),
             "line_bytes": len(line.encode("utf-8")) + 1}
    rows = [{**p.index, **whole} for p in parts]
    return Example(split=split, sort_key=f"{row.row_id}\x00{0:06d}", line=line, index=rows[0],
                   more_index=tuple(rows[1:]))


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
