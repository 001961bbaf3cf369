"""The run's statistics, computed from the records themselves (not from counters), and the gate.

An accumulator is a plain dict of numbers and nested dicts of numbers, so that partial
results from many workers merge by addition.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping, Optional, Union

from transforms.core.dataset_limits import DatasetTargets, cost_summary, limit_reasons

Acc = dict[str, Any]


def empty() -> Acc:
    return {
        "examples": Counter(), "rows_out": Counter(), "tokens": Counter(), "clips_by_action": Counter(),
        "examples_by_action": Counter(), "clips": 0,
        "drops_by_stage": Counter(), "drops_by_reason": Counter(), "clip_drops_by_reason": Counter(),
        "rows_dropped": 0, "media_seconds_in": 0.0, "media_bytes_in": 0, "sources": 0,
        "media_seconds_out": 0.0, "media_bytes_out": 0, "over_limit": 0, "line_bytes": Counter(),
        "clips_made": 0, "clips_reused": 0, "probes_made": 0, "probes_reused": 0,
        "probe_bytes_read": 0,
        "cut_bytes_downloaded": 0,
        "transcodes_by_cause": Counter(),
    }


def add_example(acc: Acc, index: Mapping[str, Any], max_bytes: int,
                max_seconds: Union[float, Mapping[str, float]], more: Iterable[Mapping[str, Any]] = ()) -> Acc:
    """`max_seconds` may be per resolution (Gemini 3 mixes them): each example meets its own.
    `more`: the index rows of an example's other videos; the example is over a limit if any video is."""
    if any(_over(row, max_bytes, max_seconds) for row in (index, *more)):
        acc["over_limit"] += 1
    split = index["split"]
    acc["line_bytes"][split] += index.get("line_bytes", 0)
    acc["examples"][split] += 1
    acc["tokens"][split] += index["est_tokens"]
    acc["examples_by_action"][index["action"]] += 1
    if index["clip_index"] == 0:
        acc["rows_out"][split] += 1
    return acc


def _over(index: Mapping[str, Any], max_bytes: int, max_seconds: Union[float, Mapping[str, float]]) -> bool:
    if isinstance(max_seconds, Mapping):
        max_seconds = max_seconds.get(index.get("media_resolution"), max(max_seconds.values()))
    return index["bytes"] > max_bytes or index["duration"] > max_seconds


def add_clip(acc: Acc, action: str, seconds: float, size: int, reused: bool = False,
             downloaded: int = 0, causes: Iterable[str] = ()) -> Acc:
    """A media file, counted once however many examples reference it: cut by this run, or
    found whole from an earlier one. `downloaded`: the bytes of source fetched to make it.
    `causes`: why it was re-encoded (a clip counts once under each of its causes)."""
    acc["clips"] += 1
    for cause in set(causes):
        acc["transcodes_by_cause"][cause] += 1
    acc["cut_bytes_downloaded"] += downloaded
    acc["clips_reused" if reused else "clips_made"] += 1
    acc["clips_by_action"][action] += 1
    acc["media_seconds_out"] += seconds
    acc["media_bytes_out"] += size
    return acc


def add_drop(acc: Acc, drop: Mapping[str, Any]) -> Acc:
    if drop["kind"] == "row":
        acc["rows_dropped"] += 1
        acc["drops_by_stage"][drop["stage"]] += 1
        acc["drops_by_reason"][drop["reason"]] += 1
    else:
        acc["clip_drops_by_reason"][drop["reason"]] += 1
    return acc


def add_source(acc: Acc, seconds: float, size: int, probe_reused: bool = False, bytes_read: int = 0) -> Acc:
    acc["sources"] += 1
    acc["probes_reused" if probe_reused else "probes_made"] += 1
    acc["probe_bytes_read"] += bytes_read
    acc["media_seconds_in"] += seconds
    acc["media_bytes_in"] += size
    return acc


def merge(accs: Iterable[Acc]) -> Acc:
    total = empty()
    for acc in accs:
        for key, value in acc.items():
            if isinstance(value, Counter):
                total[key].update(value)
            else:
                total[key] += value
    return total


def finalize(acc: Acc, rows_in: int, max_drop_rate: float,
             targets: Optional[DatasetTargets] = None) -> dict[str, Any]:
    """The stats.json document, with the gate's verdict and its reasons."""
    rows_out = sum(acc["rows_out"].values())
    drop_rate = acc["rows_dropped"] / rows_in if rows_in else 0.0
    stats = {
        "rows_in": rows_in,
        "rows_out": rows_out,
        "rows_dropped": acc["rows_dropped"],
        "drop_rate": round(drop_rate, 6),
        "examples": dict(sorted(acc["examples"].items())),
        "rows_out_by_split": dict(sorted(acc["rows_out"].items())),
        "drops_by_stage": dict(sorted(acc["drops_by_stage"].items())),
        "drops_by_reason": dict(sorted(acc["drops_by_reason"].items())),
        "clip_drops_by_reason": dict(sorted(acc["clip_drops_by_reason"].items())),
        "clips": acc["clips"],
        "clips_by_action": dict(sorted(acc["clips_by_action"].items())),
        "transcodes_by_cause": dict(sorted(acc["transcodes_by_cause"].items())),
        "examples_by_action": dict(sorted(acc["examples_by_action"].items())),
        "clips_made": acc["clips_made"],
        "clips_reused": acc["clips_reused"],
        "cut_bytes_downloaded": acc["cut_bytes_downloaded"],
        "probes_made": acc["probes_made"],
        "probes_reused": acc["probes_reused"],
        "probe_bytes_read": acc["probe_bytes_read"],
        "sources": acc["sources"],
        "media_seconds_in": round(acc["media_seconds_in"], 3),
        "media_bytes_in": acc["media_bytes_in"],
        "media_seconds_out": round(acc["media_seconds_out"], 3),
        "media_bytes_out": acc["media_bytes_out"],
        "est_tokens": dict(sorted(acc["tokens"].items())),
        "est_tokens_total": sum(acc["tokens"].values()),
        "jsonl_bytes": dict(sorted(acc["line_bytes"].items())),
    }
    stats["gate"] = gate(stats, acc["over_limit"], max_drop_rate)
    if targets is not None:
        stats["cost"] = cost_summary(stats, targets)
        extra = limit_reasons(stats, targets)
        if extra:
            stats["gate"] = {**stats["gate"], "verdict": "fail", "reasons": stats["gate"]["reasons"] + extra}
    return stats


def gate(stats: Mapping[str, Any], over_limit: int, max_drop_rate: float) -> dict[str, Any]:
    """Refuse a dataset the tuning service would fail, or one that lost rows unaccounted for."""
    reasons = []
    if stats["drop_rate"] > max_drop_rate:
        top = ", ".join(f"{r} x{n}" for r, n in sorted(stats["drops_by_reason"].items(), key=lambda kv: -kv[1])[:3])
        reasons.append(f"{stats['rows_dropped']} of {stats['rows_in']} rows dropped "
                       f"({stats['drop_rate']:.1%} > --max_drop_rate {max_drop_rate:.1%}); most: {top}; "
                       "see drops.jsonl")
    if stats["rows_out"] + stats["rows_dropped"] != stats["rows_in"]:
        reasons.append(f"rows do not add up: {stats['rows_in']} in, {stats['rows_out']} in the index, "
                       f"{stats['rows_dropped']} dropped; this is a bug, please report it")
    if over_limit:
        reasons.append(f"{over_limit} examples reference media over the limits; this is a bug, please report it")
    if not stats["examples"].get("train"):
        reasons.append("no training examples were produced")
    return {"verdict": "fail" if reasons else "pass", "reasons": reasons, "max_drop_rate": max_drop_rate}
