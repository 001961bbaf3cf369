"""Everything the report page shows, gathered from a written dataset's records. Pure.

The caps keep the page a few MB for any dataset: the summary and the drop chart are always
whole; timelines, drop rows and contact strips are bounded, and the page says what it left out.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from transforms.report.read_output import OutputRecords
from transforms.report.strips import StripChoice, choose_strips
from transforms.report.summary import DropGroup, Tile, clips_by_cause, drop_groups, tiles
from transforms.report.timelines import SourceTimeline, source_timelines

MODES = ("none", "summary", "full")


@dataclasses.dataclass(frozen=True)
class Caps:
    max_sources: int = 200          # timelines drawn
    max_lanes: int = 8              # rows drawn on one source's timeline
    max_drop_records: int = 50      # rows listed under one drop reason
    strips_per_source: int = 2      # first examples of each source with a contact strip
    max_strips: int = 120
    max_shots: int = 6              # thumbnails in one strip


@dataclasses.dataclass(frozen=True)
class Report:
    dataset_dir: str
    mode: str                       # "summary" (no thumbnails) or "full"
    tiles: tuple[Tile, ...]
    clips_by_cause: dict[str, int]
    drop_groups: tuple[DropGroup, ...]
    drops_total: int
    timelines: tuple[SourceTimeline, ...]
    sources_total: int
    strips: StripChoice
    pictures: dict[str, list[Optional[str]]]   # strip key -> a data URI per shot (full mode)
    problems: tuple[str, ...]                  # what the report itself could not do


def build_report(records: OutputRecords, mode: str = "summary", caps: Caps = Caps()) -> Report:
    """The page without its pictures; `with_pictures` adds them (full mode)."""
    if mode not in MODES[1:]:
        raise ValueError(f"report mode must be summary or full, got {mode!r}")
    timelines, sources_total = source_timelines(records.index, records.drops, records.lines, caps.max_lanes,
                                                caps.max_sources)
    strips = choose_strips(records.index, records.lines, [t.uri for t in timelines], caps.strips_per_source,
                           caps.max_strips, caps.max_shots)
    return Report(
        dataset_dir=records.dataset_dir, mode=mode, tiles=tuple(tiles(records.stats, records.index)),
        clips_by_cause=clips_by_cause(records.index),
        drop_groups=tuple(drop_groups(records.drops, caps.max_drop_records)), drops_total=len(records.drops),
        timelines=tuple(timelines), sources_total=sources_total, strips=strips,
        pictures={}, problems=())


def with_pictures(report: Report, pictures: dict[str, list[Optional[str]]], problems: list[str]) -> Report:
    return dataclasses.replace(report, mode="full", pictures=pictures, problems=tuple(problems))
