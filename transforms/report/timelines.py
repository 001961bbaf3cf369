"""One timeline per source video: its length, its clips as cut, its annotations, its drops. Pure.

Positions are percentages of the source's length, ready for an SVG drawn with `width="100%"`.
"""
from __future__ import annotations

import dataclasses
import posixpath
from collections import defaultdict
from typing import Any, Mapping, Optional, Sequence

from transforms.report.answers import Event, LineFacts

# The answers' times are MM:SS by default: an event this close to a cut may have been clipped by it.
EDGE_SECONDS = 1.0
_MIN_WIDTH = 0.4  # percent: a point event stays visible
_PLANNED_OFF = 0.05  # seconds: a real cut this far from the plan is drawn beside it


@dataclasses.dataclass(frozen=True)
class Bar:
    start: float
    end: float
    x: float        # percent of the source
    w: float


@dataclasses.dataclass(frozen=True)
class ClipBar:
    clip_index: int
    clip_count: int
    bar: Bar
    planned: Optional[Bar]   # the cut the plan asked for, when the real one is elsewhere
    action: str
    cause: str


@dataclasses.dataclass(frozen=True)
class EventBar:
    label: str
    clip_index: int
    bar: Bar                 # on the source
    edge: bool               # touches a cut: clipped by it, or straddling it (then in both clips)


@dataclasses.dataclass(frozen=True)
class Lane:
    row_id: str
    split: str
    clips: tuple[ClipBar, ...]
    events: tuple[EventBar, ...]


@dataclasses.dataclass(frozen=True)
class SourceTimeline:
    uri: str
    name: str
    duration: Optional[float]    # None: never probed (dropped before)
    lanes: tuple[Lane, ...]
    lanes_hidden: int
    drops: tuple[Mapping[str, Any], ...]
    examples: int
    transcodes: int
    edge_events: int

    @property
    def trouble(self) -> tuple[int, int, int]:
        return len(self.drops), self.transcodes, self.edge_events


def bar(start: float, end: float, duration: float) -> Bar:
    scale = 100.0 / duration if duration > 0 else 0.0
    x = min(max(start * scale, 0.0), 100.0)
    w = max(min((end - start) * scale, 100.0 - x), _MIN_WIDTH)
    x = min(x, 100.0 - w)  # a point at the very end stays inside the axis
    return Bar(start=start, end=end, x=round(x, 3), w=round(w, 3))


def is_edge(event: Event, clip_start: float, clip_end: float, source_duration: float) -> bool:
    """Near a cut (not the source's own start or end): where a remap goes wrong if it does."""
    length = clip_end - clip_start
    end = event.end if event.end is not None else event.start
    cut_before = clip_start > _PLANNED_OFF
    cut_after = clip_end < source_duration - _PLANNED_OFF
    return ((cut_before and event.start <= EDGE_SECONDS) or (cut_after and end >= length - EDGE_SECONDS)
            or end > length + EDGE_SECONDS)


def source_duration(rows: Sequence[Mapping[str, Any]]) -> Optional[float]:
    known = [r["source_duration"] for r in rows if r.get("source_duration")]
    if known:
        return max(known)
    return max((r["source_end"] for r in rows), default=None)


def _lane(rows: Sequence[Mapping[str, Any]], lines: Mapping[str, LineFacts], duration: float) -> Lane:
    clips, events = [], []
    for r in sorted(rows, key=lambda r: r["clip_index"]):
        start, end = r["source_start"], r["source_end"]
        planned = None
        p_start, p_end = r.get("planned_start"), r.get("planned_end")
        if p_start is not None and p_end is not None and (
                abs(p_start - start) > _PLANNED_OFF or abs(p_end - end) > _PLANNED_OFF):
            planned = bar(p_start, p_end, duration)
        clips.append(ClipBar(clip_index=r["clip_index"], clip_count=r["clip_count"], bar=bar(start, end, duration),
                             planned=planned, action=r["action"], cause=r.get("action_cause") or ""))
        facts = lines.get(r["line_sha1"])
        for event in facts.events if facts else ():
            ev_end = event.end if event.end is not None else event.start
            events.append(EventBar(label=event.label, clip_index=r["clip_index"],
                                   bar=bar(start + event.start, start + ev_end, duration),
                                   edge=is_edge(event, start, end, duration)))
    first = rows[0]
    return Lane(row_id=first["row_id"], split=first["split"], clips=tuple(clips), events=tuple(events))


def edge_events(rows: Sequence[Mapping[str, Any]], lines: Mapping[str, LineFacts], duration: float) -> int:
    """Events at a cut in these examples: counted for every source, drawn only for the shown ones."""
    count = 0
    for r in rows:
        facts = lines.get(r["line_sha1"])
        for event in facts.events if facts else ():
            count += is_edge(event, r["source_start"], r["source_end"], duration)
    return count


def source_timelines(index: Sequence[Mapping[str, Any]], drops: Sequence[Mapping[str, Any]],
                     lines: Mapping[str, LineFacts], max_lanes: int = 8,
                     max_sources: Optional[int] = None) -> tuple[list[SourceTimeline], int]:
    """The timelines of the `max_sources` most troubled sources (of the index and the drops), and
    how many sources there are. Only the drawn ones get their bars: a page shows a few hundred."""
    by_source: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in index:
        by_source[r["source_uri"]][r["row_id"]].append(r)
    drops_of: dict[str, list] = defaultdict(list)
    for d in drops:
        if d.get("source_uri"):  # a row that never named a readable source has no timeline
            drops_of[d["source_uri"]].append(d)
    ranked = []
    for uri in set(by_source) | set(drops_of):
        rows_by_id = by_source.get(uri, {})
        all_rows = [r for rows in rows_by_id.values() for r in rows]
        duration = source_duration(all_rows)
        clips = {r["file_uri"]: r["action"] for r in all_rows}
        trouble = (len(drops_of.get(uri, ())), sum(1 for a in clips.values() if a == "transcode"),
                   edge_events(all_rows, lines, duration or 0.0))
        ranked.append((tuple(-n for n in trouble) + (uri,), uri, duration, trouble, rows_by_id, len(all_rows)))
    ranked.sort(key=lambda item: item[0])
    timelines = []
    for _, uri, duration, trouble, rows_by_id, examples in ranked[:max_sources]:
        lanes = [_lane(rows, lines, duration) for _, rows in sorted(rows_by_id.items())[:max_lanes]] if duration else []
        timelines.append(SourceTimeline(
            uri=uri, name=posixpath.basename(uri.rstrip("/")) or uri, duration=duration,
            lanes=tuple(lanes), lanes_hidden=max(len(rows_by_id) - max_lanes, 0) if duration else 0,
            drops=tuple(sorted(drops_of.get(uri, ()), key=lambda d: (d["row_id"], d["reason"]))),
            examples=examples, transcodes=trouble[1], edge_events=trouble[2]))
    return timelines, len(ranked)


_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400)


def ticks(duration: Optional[float], most: int = 8) -> list[tuple[float, float]]:
    """(seconds, percent) of round times along a source's axis, at most `most` + 1 of them."""
    if not duration or duration <= 0:
        return []
    step = next((s for s in _STEPS if duration / s <= most), _STEPS[-1])
    count = int(duration // step)
    return [(float(i * step), round(100.0 * i * step / duration, 3)) for i in range(count + 1)]
