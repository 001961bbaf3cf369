"""PlanClips: the planner's decisions for every probed video, as Beam outputs."""
from __future__ import annotations

from typing import Iterable

import apache_beam as beam

from transforms.limits import Limits
from transforms.planner import plan_video
from transforms.types import ManifestRow, VideoInfo

DROPS = "drops"
ROWS = "rows"


class _PlanFn(beam.DoFn):
    def __init__(self, limits: Limits, virtual: bool = False):
        self._limits = limits
        self._virtual = virtual

    def process(self, element: tuple[VideoInfo, Iterable[ManifestRow]]):
        info, rows = element
        plan = plan_video(info, list(rows), self._limits, self._virtual)
        for drop in plan.drops:
            yield beam.pvalue.TaggedOutput(DROPS, drop)
        for row_plan in plan.rows:
            yield beam.pvalue.TaggedOutput(ROWS, (row_plan.row.segment_key, row_plan))
        yield from plan.clips


class PlanClips(beam.PTransform):
    """(VideoInfo, rows) -> ClipSpec; tagged `rows`: (segment key, RowPlan), `drops`."""

    def __init__(self, limits: Limits, virtual: bool = False):
        super().__init__()
        self._limits = limits
        self._virtual = virtual

    def expand(self, videos):
        return videos | "Plan" >> beam.ParDo(_PlanFn(self._limits, self._virtual)).with_outputs(DROPS, ROWS, main="clips")
