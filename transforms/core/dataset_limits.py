"""Limits on the dataset as a whole, the validation-size cap, and the cost estimate. Pure.

The tuning service refuses a training file over 1 GB, more than 5,000 validation examples or
more than 300,000 examples (../shared/GEMINI-VIDEO-TUNING.md; the profile holds the numbers).
Too many validation examples is fixed here, by moving whole source videos to train (a video
never straddles splits); the others are refused by the gate with what to change.
"""
from __future__ import annotations

import dataclasses
import hashlib
from typing import Any, Iterable, Mapping, Optional

from transforms.gemini.profiles import GEMINI_25, Profile, estimated_cost


@dataclasses.dataclass(frozen=True)
class DatasetTargets:
    max_training_file_bytes: int
    max_validation_examples: int
    max_examples: int
    epochs: int = 1
    price_per_million_tokens: Optional[float] = None
    profile_name: str = GEMINI_25.name

    @classmethod
    def from_profile(cls, profile: Profile, epochs: int = 1,
                     price_per_million_tokens: Optional[float] = None) -> "DatasetTargets":
        return cls(profile.max_training_file_bytes, profile.max_validation_examples, profile.max_examples,
                   epochs, price_per_million_tokens, profile.name)


def _order(source_uri: str) -> str:
    return hashlib.sha1(source_uri.encode("utf-8")).hexdigest()


def sources_to_move(validation_counts: Iterable[tuple[str, int]], cap: int) -> frozenset[str]:
    """The source videos whose validation examples move to train so that at most `cap` stay.

    Sources are taken in the order of a hash of their URI (stable across runs and runners) and
    kept while they fit; whole sources move, so a video never straddles splits.
    """
    kept, moved = 0, set()
    for uri, count in sorted(validation_counts, key=lambda kv: (_order(kv[0]), kv[0])):
        if kept + count <= cap:
            kept += count
        else:
            moved.add(uri)
    return frozenset(moved)


def limit_reasons(stats: Mapping[str, Any], targets: DatasetTargets) -> list[str]:
    """Why the tuning service would refuse this dataset as a whole, each with what to change."""
    reasons = []
    train_bytes = stats.get("jsonl_bytes", {}).get("train", 0)
    if train_bytes > targets.max_training_file_bytes:
        reasons.append(f"train.jsonl is {train_bytes:,} bytes, over the {targets.max_training_file_bytes:,} "
                       f"bytes a training file may be ({targets.profile_name}); split the manifest into "
                       "several datasets, or shorten prompts and answers")
    total = sum(stats["examples"].values())
    if total > targets.max_examples:
        reasons.append(f"{total:,} examples, over the {targets.max_examples:,} a tuning job accepts; split the "
                       "manifest into several datasets, or use longer clips (--media_resolution LOW)")
    validation = stats["examples"].get("validation", 0)
    if validation > targets.max_validation_examples:
        reasons.append(f"{validation:,} validation examples, over the {targets.max_validation_examples:,} "
                       "allowed; lower --validation_fraction or fewer rows with `split: validation`")
    return reasons


def cost_summary(stats: Mapping[str, Any], targets: DatasetTargets) -> dict[str, Any]:
    """Training tokens x epochs x price: what tuning is billed on (validation is not trained on)."""
    train_tokens = stats["est_tokens"].get("train", 0)
    return {
        "profile": targets.profile_name,
        "epochs": targets.epochs,
        "price_per_million_tokens": targets.price_per_million_tokens,
        "train_tokens_per_epoch": train_tokens,
        "billed_tokens": train_tokens * targets.epochs,
        "est_cost": estimated_cost(train_tokens, targets.epochs, targets.price_per_million_tokens),
    }
