"""Index rows, lines and drops as a run writes them, made by hand for the report's unit tests."""
from __future__ import annotations

from transforms.report.answers import Event, LineFacts


def index_row(row_id: str, clip_index: int, start: float, end: float, *, source: str = "/v/a.mp4",
              clip_count: int = 1, action: str = "cut", source_duration: float = 100.0, split: str = "train",
              planned=None, cause: str = "", sha: str = "") -> dict:
    planned_start, planned_end = planned or (start, end)
    return {"split": split, "row_id": row_id, "source_uri": source, "source_start": start, "source_end": end,
            "file_uri": f"/out/media/{row_id}-{clip_index}.mp4", "clip_index": clip_index,
            "clip_count": clip_count, "duration": end - start, "bytes": 1000, "action": action,
            "mime_type": "video/mp4", "est_tokens": 100, "line_sha1": sha or f"{row_id}#{clip_index}",
            "location": f"m.jsonl:{row_id}", "source_duration": source_duration, "planned_start": planned_start,
            "planned_end": planned_end, "action_cause": cause}


def facts(*events: tuple) -> LineFacts:
    return LineFacts(events=tuple(Event(*e) for e in events), has_events=True)


def drop(row_id: str, reason: str, source: str = "/v/a.mp4", kind: str = "row", stage: str = "probe") -> dict:
    return {"row_id": row_id, "source_uri": source, "stage": stage, "reason": reason, "detail": "d",
            "kind": kind, "location": f"m.jsonl:{row_id}"}
