"""Each Gemini generation's tuning rules as data: limits, token rates, dataset caps. Pure.

Numbers from ../shared/GEMINI-VIDEO-TUNING.md. Every value is a default that a flag can
override (`with_overrides`): Google changes them. `limits.py` and `examples.py` read their
defaults from here, so a number lives in one place.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Mapping, Optional

RESOLUTIONS = ("LOW", "MEDIUM", "HIGH")


@dataclasses.dataclass(frozen=True)
class Profile:
    """What one model generation's tuning service accepts, and what an example costs in tokens."""

    name: str
    # True (Gemini 3+): a part may carry its own mediaResolution; False (2.5): one per dataset.
    per_part_resolution: bool
    tokens_per_frame: Mapping[str, int]
    max_clip_seconds: Mapping[str, float]
    audio_tokens_per_second: int = 32
    # "Timestamps add a few tokens per second (5 to 7)": one timestamp per sampled frame.
    timestamp_tokens_per_frame: int = 6
    chars_per_token: int = 4
    default_fps: float = 1.0
    max_example_tokens: int = 131_072
    max_file_bytes: int = 100_000_000
    max_training_file_bytes: int = 1_000_000_000
    max_validation_examples: int = 5_000
    max_examples: int = 300_000
    # Video parts one tuning example may hold: 1 for Gemini 2.5 ("1 video per example"); the
    # Gemini 3 tuning example has two, and inference takes up to 10 per prompt.
    videos_per_example: int = 1

    def clip_seconds(self, resolution: str) -> float:
        return self.max_clip_seconds[resolution.upper()]

    def frame_tokens(self, resolution: str) -> int:
        return self.tokens_per_frame[resolution.upper()]


GEMINI_25 = Profile(
    name="gemini-2.5",
    per_part_resolution=False,
    tokens_per_frame={"LOW": 64, "MEDIUM": 256, "HIGH": 256},
    max_clip_seconds={"LOW": 1200.0, "MEDIUM": 300.0, "HIGH": 300.0},
)
# Gemini 3 tuning costs "the same as the base model": the inference rates.
GEMINI_3 = dataclasses.replace(
    GEMINI_25,
    name="gemini-3",
    per_part_resolution=True,
    tokens_per_frame={"LOW": 70, "MEDIUM": 70, "HIGH": 280},
    videos_per_example=10,
)
PROFILES = {p.name: p for p in (GEMINI_25, GEMINI_3)}
DEFAULT_PROFILE = GEMINI_25.name


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; use one of {sorted(PROFILES)}") from None


def with_overrides(profile: Profile, **overrides: Any) -> Profile:
    """The profile with every override that is not None applied (a flag left unset keeps the table's)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if "max_clip_seconds" in given and not isinstance(given["max_clip_seconds"], Mapping):
        # One length for every resolution: what --max_clip_seconds means.
        given["max_clip_seconds"] = {r: float(given["max_clip_seconds"]) for r in RESOLUTIONS}
    if "tokens_per_frame" in given and not isinstance(given["tokens_per_frame"], Mapping):
        given["tokens_per_frame"] = {r: int(given["tokens_per_frame"]) for r in RESOLUTIONS}
    return dataclasses.replace(profile, **given)


@dataclasses.dataclass(frozen=True)
class TokenEstimate:
    """An example's tokens by kind; `total` is what the per-example cap is checked against."""

    video: int
    audio: int
    timestamps: int
    text: int

    @property
    def total(self) -> int:
        return self.video + self.audio + self.timestamps + self.text


def estimate(profile: Profile, seconds: float, has_audio: bool, resolution: str, text: str = "",
             fps: Optional[float] = None) -> TokenEstimate:
    """Frames (seconds x fps) x tokens per frame, audio per second, a timestamp per frame, text/4."""
    frames = seconds * (fps or profile.default_fps)
    return TokenEstimate(
        video=int(round(frames * profile.frame_tokens(resolution))),
        audio=int(round(seconds * profile.audio_tokens_per_second)) if has_audio else 0,
        timestamps=int(round(frames * profile.timestamp_tokens_per_frame)),
        text=int(math.ceil(len(text) / profile.chars_per_token)),
    )


def seconds_within_tokens(profile: Profile, budget: int, has_audio: bool, resolution: str, text: str,
                          fps: Optional[float] = None) -> float:
    """The longest clip whose example stays within `budget` tokens with this text; <= 0 if none does."""
    per_second = ((fps or profile.default_fps) * (profile.frame_tokens(resolution)
                                                    + profile.timestamp_tokens_per_frame)
                  + (profile.audio_tokens_per_second if has_audio else 0))
    left = budget - math.ceil(len(text) / profile.chars_per_token)
    # Whole seconds, rounded down: the estimate rounds each part, so stay a second clear.
    return math.floor(left / per_second) - 1.0 if left > 0 else 0.0


def resolution_enum(resolution: str) -> str:
    return f"MEDIA_RESOLUTION_{resolution.upper()}"


def parse_resolution(value: Any) -> Optional[str]:
    """`LOW`, `low`, `MEDIA_RESOLUTION_LOW` -> `LOW`; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip().upper()
    if text.startswith("MEDIA_RESOLUTION_"):
        text = text[len("MEDIA_RESOLUTION_"):]
    return text if text in RESOLUTIONS else None


def estimated_cost(tokens: int, epochs: int, price_per_million_tokens: Optional[float]) -> Optional[float]:
    """What tuning on `tokens` training tokens for `epochs` epochs costs; None without a price."""
    if price_per_million_tokens is None:
        return None
    return round(tokens * epochs * price_per_million_tokens / 1_000_000, 2)
