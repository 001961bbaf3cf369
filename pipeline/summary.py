"""The short report printed at the end of a run."""
from __future__ import annotations

from typing import Any, Mapping, Optional

from transforms.store import storage


def summary_text(stats: Mapping[str, Any], output: str, media_uri_prefix: Optional[str]) -> str:
    gate = stats["gate"]
    lines = [
        f"Dataset written to {output}",
        f"  rows: {stats['rows_in']} in, {stats['rows_out']} made examples, {stats['rows_dropped']} dropped "
        f"({stats['drop_rate']:.1%})",
        "  examples: " + (", ".join(f"{k} {v}" for k, v in stats["examples"].items()) or "none"),
        f"  clips: {stats['clips']} ("
        + (", ".join(f"{k} {v}" for k, v in stats["clips_by_action"].items()) or "none")
        + f"); {stats.get('clips_made', 0)} made by this run, {stats.get('clips_reused', 0)} reused; "
        f"sources: {stats.get('probes_made', 0)} probed (reading {stats.get('probe_bytes_read', 0) / 1e6:.1f} MB), "
        f"{stats.get('probes_reused', 0)} unchanged since last probed",
        f"  media: {stats['media_seconds_in'] / 3600:.2f} h in ({stats['media_bytes_in'] / 1e6:.1f} MB), "
        f"{stats['media_seconds_out'] / 3600:.2f} h out ({stats['media_bytes_out'] / 1e6:.1f} MB)",
        f"  estimated tokens: {stats['est_tokens_total']:,} "
        + "(" + ", ".join(f"{k} {v:,}" for k, v in stats["est_tokens"].items()) + ")",
    ]
    if stats.get("transcodes_by_cause"):
        lines.append("  re-encoded clips by cause: "
                     + ", ".join(f"{k} {v}" for k, v in stats["transcodes_by_cause"].items()))
    if stats.get("cut_bytes_downloaded"):
        lines.append(f"  downloaded to cut: {stats['cut_bytes_downloaded'] / 1e6:.1f} MB (each remote source once)")
    cost = stats.get("cost")
    if cost:
        price = (f"about ${cost['est_cost']:,.2f} at ${cost['price_per_million_tokens']}/M tokens"
                 if cost["est_cost"] is not None else "pass --price_per_million_tokens for a cost estimate")
        lines.append(f"  tuning ({cost['profile']}): {cost['train_tokens_per_epoch']:,} training tokens x "
                     f"{cost['epochs']} epoch(s) = {cost['billed_tokens']:,} billed tokens; {price}")
    if stats.get("jsonl_bytes"):
        lines.append("  JSONL size: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in stats["jsonl_bytes"].items()))
    if stats["drops_by_reason"]:
        lines.append("  drops by reason: " + ", ".join(f"{k} {v}" for k, v in stats["drops_by_reason"].items())
                     + f"  (details: {storage.join(output, 'drops.jsonl')})")
    if storage.is_local(output) and not media_uri_prefix:
        lines.append("  note: fileUri values are local paths; upload media/ and rerun with "
                     "--media_uri_prefix gs://BUCKET/PATH/media (or write --output to gs://) before tuning")
    if gate["verdict"] == "pass":
        lines.append("Gate: PASS")
    else:
        lines.append("Gate: FAIL: the tuning service would reject this dataset or rows went missing:")
        lines.extend(f"  - {reason}" for reason in gate["reasons"])
    return "\n".join(lines)
