"""PlanClips: the planner's decisions for every probed video, as Beam outputs."""
from __future__ import annotations

import dataclasses
from typing import Iterable

import apache_beam as beam

from transforms.core.budget import BudgetSettings, plan_with_budget
from transforms.core.frames import resolve_rows, without_frame_times
from transforms.core.types import ManifestRow, VideoInfo

DROPS = "drops"
ROWS = "rows"


class _PlanFn(beam.DoFn):
    def __init__(self, budget: BudgetSettings, virtual: bool):
        self._budget = budget
        self._virtual = virtual

    def process(self, element: tuple[VideoInfo, Iterable[ManifestRow]]):
        info, rows = element
        # Frame numbers become times from the probe's frame timestamps, before anything plans with them.
        rows, frame_drops = resolve_rows(info, list(rows))
        for drop in frame_drops:
            yield beam.pvalue.TaggedOutput(DROPS, drop)
        plan = plan_with_budget(without_frame_times(info), rows, self._budget, self._virtual)
        for drop in plan.drops:
            yield beam.pvalue.TaggedOutput(DROPS, drop)
        for row_plan in plan.rows:
            yield beam.pvalue.TaggedOutput(ROWS, (row_plan.row.segment_key, row_plan))
        yield from plan.clips


@dataclasses.dataclass
class PlanClips(beam.PTransform):
    """(VideoInfo, rows) -> ClipSpec; tagged `rows`: (segment key, RowPlan), `drops`.

    `budget` carries the profile: each row's resolution, its length limit and its token budget.
    """

    budget: BudgetSettings
    virtual: bool = False

    def expand(self, videos):
        fn = _PlanFn(self.budget, self.virtual)
        return videos | "Plan" >> beam.ParDo(fn).with_outputs(DROPS, ROWS, main="clips")
