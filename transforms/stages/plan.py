"""PlanClips: the planner's decisions for every probed video, as Beam outputs."""
from __future__ import annotations

from typing import Iterable, Optional

import apache_beam as beam

from transforms.core.budget import BudgetSettings, plan_with_budget
from transforms.core.frames import resolve_rows, without_frame_times
from transforms.gemini.limits import Limits
from transforms.core.planner import plan_video
from transforms.core.types import ManifestRow, VideoInfo

DROPS = "drops"
ROWS = "rows"


class _PlanFn(beam.DoFn):
    def __init__(self, limits: Limits, budget: Optional[BudgetSettings] = None, virtual: bool = False):
        self._limits = limits
        self._budget = budget
        self._virtual = virtual

    def process(self, element: tuple[VideoInfo, Iterable[ManifestRow]]):
        info, rows = element
        # Frame numbers become times from the probe's frame timestamps, before anything plans with them.
        rows, frame_drops = resolve_rows(info, list(rows))
        for drop in frame_drops:
            yield beam.pvalue.TaggedOutput(DROPS, drop)
        info = without_frame_times(info)
        if self._budget is not None:  # a profile: per-row resolutions and the token budget
            plan = plan_with_budget(info, rows, self._budget, self._virtual)
        else:
            plan = plan_video(info, rows, self._limits, self._virtual)
        for drop in plan.drops:
            yield beam.pvalue.TaggedOutput(DROPS, drop)
        for row_plan in plan.rows:
            yield beam.pvalue.TaggedOutput(ROWS, (row_plan.row.segment_key, row_plan))
        yield from plan.clips


class PlanClips(beam.PTransform):
    """(VideoInfo, rows) -> ClipSpec; tagged `rows`: (segment key, RowPlan), `drops`."""

    def __init__(self, limits: Limits, budget: Optional[BudgetSettings] = None, virtual: bool = False):
        super().__init__()
        self._limits = limits
        self._budget = budget
        self._virtual = virtual

    def expand(self, videos):
        fn = _PlanFn(self._limits, self._budget, self._virtual)
        return videos | "Plan" >> beam.ParDo(fn).with_outputs(DROPS, ROWS, main="clips")
