"""PlanClips: the planner's decisions for every probed video, as Beam outputs."""
from __future__ import annotations

import dataclasses
from typing import Iterable

import apache_beam as beam

from transforms.core.budget import BudgetSettings, plan_with_budget
from transforms.core.types import ManifestRow, VideoInfo

DROPS = "drops"
ROWS = "rows"


class _PlanFn(beam.DoFn):
    def __init__(self, budget: BudgetSettings, virtual: bool):
        self._budget = budget
        self._virtual = virtual

    def process(self, element: tuple[VideoInfo, Iterable[ManifestRow]]):
        info, rows = element
        plan = plan_with_budget(info, list(rows), self._budget, self._virtual)
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
