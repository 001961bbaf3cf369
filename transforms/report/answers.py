"""The events of one tuning line, read back from what the model is taught. Pure.

The report draws what the dataset says, not what the manifest meant: the times are the
clip-relative ones in the model's answer, so a wrong remap shows up in the pictures.
"""
from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Optional

from transforms.core.timecode import TimeFormatError, parse_time

_FENCE = re.compile(r"```json\s*(.*?)\s*```", re.DOTALL)
# Fields a label is taken from, in this order; else the first short string field.
_LABEL_FIELDS = ("label", "text", "event", "name", "class", "category", "description")


@dataclasses.dataclass(frozen=True)
class Event:
    """One annotation of a clip, in seconds of the clip."""

    start: float
    end: Optional[float]
    label: str


@dataclasses.dataclass(frozen=True)
class LineFacts:
    """What the report needs of a JSONL line: its answer's events."""

    events: tuple[Event, ...]
    has_events: bool            # False: a free-text answer with no JSON array (nothing to picture)


def label_of(item: dict[str, Any]) -> str:
    for name in _LABEL_FIELDS:
        if isinstance(item.get(name), (str, int, float)) and not isinstance(item.get(name), bool):
            return str(item[name])
    for name, value in item.items():
        if name not in ("start", "end") and isinstance(value, str):
            return value
    return "event"


def answer_events(answer: str) -> Optional[list[Event]]:
    """The events of a ```json fenced array answer; None when the answer is not one."""
    match = _FENCE.search(answer)
    if not match:
        return None
    try:
        items = json.loads(match.group(1))
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    events = []
    for item in items:
        if not isinstance(item, dict) or "start" not in item:
            continue
        try:
            start = parse_time(item["start"])
            end = parse_time(item["end"]) if item.get("end") is not None else None
        except TimeFormatError:
            continue
        events.append(Event(start=start, end=end, label=label_of(item)[:60]))
    return events


def line_facts(line: str) -> LineFacts:
    """Reads one JSONL line of the dataset (the format transforms/gemini/examples.py writes)."""
    example = json.loads(line)
    contents = example.get("contents") or []
    answer = "".join(part.get("text", "") for turn in contents if turn.get("role") == "model"
                     for part in turn.get("parts") or [])
    events = answer_events(answer)
    return LineFacts(events=tuple(events or ()), has_events=events is not None)
