"""The report's summary at a glance and its drops by reason. Pure: stats.json, index rows, drops."""
from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from typing import Any, Mapping, Optional, Sequence

from transforms.report.drop_help import DROP_HELP, DropHelp


@dataclasses.dataclass(frozen=True)
class Tile:
    title: str
    value: str
    detail: str = ""
    bad: bool = False


@dataclasses.dataclass(frozen=True)
class DropGroup:
    reason: str
    kind: str               # "row" (counts towards the drop rate) or "clip"
    count: int
    width: float            # percent of the largest group: the bar chart
    help: Optional[DropHelp]
    records: tuple[Mapping[str, Any], ...]
    hidden: int

    @property
    def anchor(self) -> str:
        return f"drop-{self.kind}-{self.reason}"


def _counts(mapping: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in mapping.items()) or "none"


def clips_by_cause(index: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Clips (not examples: rows share clips) by 'action (cause)', the commonest first."""
    clips = {r["file_uri"] + "|" + str(r["source_start"]): (r["action"], r.get("action_cause") or "")
             for r in index}
    counts = Counter(f"{a} ({c})" if c else a for a, c in clips.values())
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def tiles(stats: Mapping[str, Any], index: Sequence[Mapping[str, Any]]) -> list[Tile]:
    gate = stats.get("gate", {})
    max_rate = gate.get("max_drop_rate")
    cost = stats.get("cost") or {}
    price = (f"about ${cost['est_cost']:,.2f} at ${cost['price_per_million_tokens']}/M tokens"
             if cost.get("est_cost") is not None else "no --price_per_million_tokens: no cost estimate")
    return [
        Tile("Gate", gate.get("verdict", "?").upper(), "; ".join(gate.get("reasons", [])) or "the dataset passes",
             bad=gate.get("verdict") != "pass"),
        Tile("Rows in", f"{stats['rows_in']:,}", f"{stats['rows_out']:,} made examples, "
                                                 f"{stats['rows_dropped']:,} dropped"),
        Tile("Examples", f"{sum(stats['examples'].values()):,}", _counts(stats["examples"])),
        Tile("Drop rate", f"{stats['drop_rate']:.1%}",
             f"gate: at most {max_rate:.1%}" if max_rate is not None else "",
             bad=max_rate is not None and stats["drop_rate"] > max_rate),
        Tile("Media", f"{stats['media_seconds_out'] / 3600:.2f} h out",
             f"{stats['media_seconds_in'] / 3600:.2f} h in ({stats['media_bytes_in'] / 1e6:,.1f} MB) from "
             f"{stats.get('sources', 0):,} sources; {stats['media_bytes_out'] / 1e6:,.1f} MB out"),
        Tile("Estimated tokens", f"{stats['est_tokens_total']:,}", _counts(stats["est_tokens"])),
        Tile("Tuning cost", f"{cost.get('billed_tokens', 0):,} billed tokens",
             f"{cost.get('epochs', 1)} epoch(s), {cost.get('profile', '')}; {price}"),
        Tile("Clips", f"{stats['clips']:,}", _counts(stats["clips_by_action"])),
        Tile("Made vs reused", f"{stats.get('clips_made', 0):,} made, {stats.get('clips_reused', 0):,} reused",
             f"sources: {stats.get('probes_made', 0):,} probed, {stats.get('probes_reused', 0):,} unchanged"),
    ]


def drop_groups(drops: Sequence[Mapping[str, Any]], max_records: int = 50) -> list[DropGroup]:
    """Row drops first (they count towards the gate), the commonest reason first."""
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for d in drops:
        grouped[(d.get("kind", "row"), d["reason"])].append(d)
    largest = max((len(v) for v in grouped.values()), default=1)
    groups = []
    for (kind, reason), records in sorted(grouped.items(), key=lambda kv: (kv[0][0] != "row", -len(kv[1]), kv[0])):
        ordered = sorted(records, key=lambda d: (d.get("source_uri", ""), d["row_id"], d.get("location", "")))
        groups.append(DropGroup(reason=reason, kind=kind, count=len(records),
                                width=round(100.0 * len(records) / largest, 2), help=DROP_HELP.get(reason),
                                records=tuple(ordered[:max_records]), hidden=max(len(records) - max_records, 0)))
    return groups
