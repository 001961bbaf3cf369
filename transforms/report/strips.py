"""Which examples get a contact strip, and where in their clip each thumbnail is taken. Pure.

A strip shows a frame of the written clip at each event the answer names, with the label
under it: a remap that went wrong shows a frame without the thing the label says. The page
stays small however big the dataset: the first examples of each source, plus every example
with an event at a cut (where remaps go wrong), up to a cap; the page says how many it left out.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any, Mapping, Optional, Sequence

from transforms.report.answers import Event, LineFacts
from transforms.report.timelines import Bar, bar, edge_events, is_edge, source_duration

# A frame this far before the clip's end still decodes (the last frame may be shorter).
_END_MARGIN = 0.1


@dataclasses.dataclass(frozen=True)
class Shot:
    """One thumbnail: an event of the answer and the time of the frame that pictures it."""

    label: str
    start: float
    end: Optional[float]
    at: float           # seconds into the clip's own timeline
    edge: bool
    bar: Bar            # the event on the clip's own timeline


@dataclasses.dataclass(frozen=True)
class Strip:
    key: str                # row_id#clip_index: names the thumbnails
    row_id: str
    clip_index: int
    clip_count: int
    split: str
    source_uri: str
    file_uri: str
    duration: float
    action: str
    seek_offset: float      # where the clip starts in its file (a virtual clip is a whole copy)
    shots: tuple[Shot, ...]
    shots_hidden: int
    has_edge: bool
    free_text: bool         # the answer is not a JSON array: no event to picture


@dataclasses.dataclass(frozen=True)
class StripChoice:
    strips: tuple[Strip, ...]
    total: int              # examples in the dataset
    not_shown: int
    edge_total: int         # examples with an event at a cut
    per_source: int = 2     # the first examples of each source that are shown


def frame_time(event: Event, duration: float) -> float:
    """The middle of an interval (inside the event however its ends were rounded), or the point."""
    at = event.start if event.end is None else (event.start + event.end) / 2
    return round(min(max(at, 0.0), max(duration - _END_MARGIN, 0.0)), 3)


def strip_for(row: Mapping[str, Any], facts: Optional[LineFacts], source_length: float,
              max_shots: int) -> Strip:
    duration = row["duration"]
    shots = []
    for event in facts.events if facts else ():
        shots.append(Shot(label=event.label, start=event.start, end=event.end, at=frame_time(event, duration),
                          edge=is_edge(event, row["source_start"], row["source_end"], source_length),
                          bar=bar(event.start, event.end if event.end is not None else event.start, duration)))
    has_edge = any(s.edge for s in shots)
    # Keep the edge shots when there are too many to show: they are the ones to look at.
    kept = sorted(sorted(shots, key=lambda s: not s.edge)[:max_shots], key=lambda s: (s.start, s.label))
    # An example of several videos has an index row per video: each its own strip.
    video = f"v{row['video_index']}" if row.get("video_count", 1) > 1 else ""
    return Strip(key=f"{row['row_id']}#{row['clip_index']}{video}", row_id=row["row_id"], clip_index=row["clip_index"],
                 clip_count=row["clip_count"], split=row["split"], source_uri=row["source_uri"],
                 file_uri=row["file_uri"], duration=duration, action=row["action"],
                 seek_offset=row["source_start"] if row["action"] == "virtual" else 0.0,
                 shots=tuple(kept), shots_hidden=len(shots) - len(kept), has_edge=has_edge,
                 free_text=facts is not None and not facts.has_events)


def choose_strips(index: Sequence[Mapping[str, Any]], lines: Mapping[str, LineFacts],
                  source_order: Sequence[str] = (), per_source: int = 2, max_strips: int = 120,
                  max_shots: int = 6) -> StripChoice:
    """The first `per_source` examples of each source and every one with an edge event, at most
    `max_strips`, in the order of `source_order` (the timelines': most troubled first)."""
    by_source: dict[str, list] = defaultdict(list)
    for r in index:
        by_source[r["source_uri"]].append(r)
    rank = {uri: i for i, uri in enumerate(source_order)}
    chosen, edge_total = [], 0   # (row, its source's length, has an edge event)
    for uri in sorted(by_source, key=lambda u: (rank.get(u, len(rank)), u)):
        rows = sorted(by_source[uri], key=lambda r: (r["row_id"], r["clip_index"]))
        length = source_duration(rows) or 0.0
        for i, r in enumerate(rows):
            edge = edge_events([r], lines, length) > 0
            edge_total += edge
            if i < per_source or edge:
                chosen.append((r, length, edge))
    # Over the cap: the edge examples first, then the first ones of each source.
    if len(chosen) > max_strips:
        keep = {id(c) for c in sorted(chosen, key=lambda c: not c[2])[:max_strips]}
        chosen = [c for c in chosen if id(c) in keep]
    strips = tuple(strip_for(r, lines.get(r["line_sha1"]), length, max_shots) for r, length, _ in chosen)
    return StripChoice(strips=strips, total=len(index), not_shown=len(index) - len(strips), edge_total=edge_total,
                       per_source=per_source)
