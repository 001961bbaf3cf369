"""The bytes of the dataset's files, and which shard a record goes to. Pure.

Records are spread over shards by a hash of their key and sorted inside a shard, so the same
input gives byte-identical files however Beam orders the work.
"""
from __future__ import annotations

import hashlib
import io
import json
from typing import Any, Iterable, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

INDEX_SCHEMA = pa.schema([
    ("split", pa.string()),
    ("row_id", pa.string()),
    ("source_uri", pa.string()),
    ("source_start", pa.float64()),
    ("source_end", pa.float64()),
    ("file_uri", pa.string()),
    ("clip_index", pa.int32()),
    ("clip_count", pa.int32()),
    ("duration", pa.float64()),
    ("bytes", pa.int64()),
    ("action", pa.string()),
    ("mime_type", pa.string()),
    ("est_tokens", pa.int64()),
    ("line_sha1", pa.string()),
    ("location", pa.string()),
    # What the report draws: the source's length, the cut the plan asked for, why this action.
    ("source_duration", pa.float64()),
    ("planned_start", pa.float64()),
    ("planned_end", pa.float64()),
    ("action_cause", pa.string()),
    ("note", pa.string()),
    # An example of several videos has a row per video (0-based, of video_count); else 0 of 1.
    ("video_index", pa.int32()),
    ("video_count", pa.int32()),
])


# What an index row of a one-video example says of its videos (rows built before they were columns).
_ONE_VIDEO = {"video_index": 0, "video_count": 1}


def shard_of(key: str, num_shards: int) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % num_shards


def shard_name(prefix: str, shard: int, num_shards: int, suffix: str) -> str:
    return f"{prefix}-{shard:05d}-of-{num_shards:05d}{suffix}"


def jsonl_bytes(lines: Iterable[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")


def is_drop_record_file(path: str) -> bool:
    """drops.jsonl and drops/part-*.jsonl: the pipeline's drop records, which a dataset folder's
    `*.jsonl` glob also matches; they are not tuning lines."""
    parts = path.replace("\\", "/").rstrip("/").split("/")
    return parts[-1] == "drops.jsonl" or (len(parts) > 1 and parts[-2] == "drops" and parts[-1].startswith("part-"))


def drop_sort_key(drop: Mapping[str, Any]) -> str:
    return "\x00".join(str(drop[k]) for k in ("row_id", "location", "stage", "reason", "detail"))


def drops_jsonl_bytes(drops: Iterable[Mapping[str, Any]]) -> bytes:
    ordered = sorted(drops, key=drop_sort_key)
    return jsonl_bytes(json.dumps(d, ensure_ascii=False, sort_keys=True) for d in ordered)


def index_parquet_bytes(rows: Iterable[Mapping[str, Any]]) -> bytes:
    ordered = sorted(rows, key=lambda r: (r["split"], r["row_id"], r["clip_index"], r.get("video_index", 0)))
    table = pa.Table.from_pylist([{f.name: {**_ONE_VIDEO, **r}[f.name] for f in INDEX_SCHEMA} for r in ordered],
                                 schema=INDEX_SCHEMA)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
