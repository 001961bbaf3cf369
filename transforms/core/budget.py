"""Planning under a profile: each row's resolution, its length limit and its token budget. Pure.

Wraps `planner.plan_video`: rows are grouped by the resolution they will be tuned at (each
group has its own length limit and token rate), rows the profile cannot serve are dropped
with a reason, and annotated rows whose examples would exceed `max_example_tokens` are
planned in shorter clips; a fixed `response` cannot be split, so such a row is dropped.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Optional, Sequence

from transforms.core.conversation import extra_text
from transforms.gemini import examples as E
from transforms.gemini.limits import Limits, default_limits
from transforms.core.planner import VideoPlan, plan_drop, plan_video
from transforms.gemini.profiles import GEMINI_25, RESOLUTIONS, Profile, estimate, seconds_within_tokens
from transforms.core.types import Drop, DropReason, ManifestRow, VideoInfo

# Below this a clip says too little to be worth a tuning example: the text alone is the problem.
_MIN_CLIP_SECONDS = 2.0


@dataclasses.dataclass(frozen=True)
class BudgetSettings:
    profile: Profile = GEMINI_25
    media_resolution: str = "LOW"           # the dataset's (generationConfig) resolution
    max_example_tokens: Optional[int] = None  # None: the profile's
    fps: Optional[float] = None             # --fps; None: the profile's default (1)
    max_height: Optional[int] = None        # --max_height; sizes and lengths are the profile's
    timestamp_decimals: int = 0             # longer timestamps, longer answers
    oversize: str = "transcode"             # --oversize
    max_output_fps: Optional[float] = None  # --max_output_fps; None: the Limits' default cap

    @property
    def token_cap(self) -> int:
        return self.max_example_tokens or self.profile.max_example_tokens

    def limits_for(self, resolution: str) -> Limits:
        limits = dataclasses.replace(default_limits(resolution, max_height=self.max_height, profile=self.profile),
                                     oversize=self.oversize)
        return limits if self.max_output_fps is None else dataclasses.replace(limits, fps_cap=self.max_output_fps)

    def clip_limits(self) -> dict[str, float]:
        """The length limit of each resolution an example may have under this profile."""
        allowed = RESOLUTIONS if self.profile.per_part_resolution else (self.media_resolution,)
        return {r: self.limits_for(r).max_clip_seconds for r in allowed}


def example_tokens(profile: Profile, videos: Sequence[tuple[float, bool, str]], text: str,
                   fps: Optional[float] = None) -> int:
    """An example's tokens over every video part it has ((seconds, has_audio, resolution) each):
    each part's frames, timestamps and audio, and the example's text once."""
    media = sum(estimate(profile, seconds, audio, resolution, "", fps).total for seconds, audio, resolution in videos)
    return media + estimate(profile, 0.0, False, RESOLUTIONS[0], text, fps).text


def answer_bound(row: ManifestRow, timestamp_decimals: int = 0) -> str:
    """The longest answer any of the row's examples can have: the whole row's answer, with the
    row's other texts (system instruction, later turns), which every example carries."""
    return _answer_bound(row, timestamp_decimals) + extra_text(row.system_instruction, row.turns)


def _answer_bound(row: ManifestRow, timestamp_decimals: int) -> str:
    if row.response is not None:
        return row.response
    if row.answer_template is not None:
        from transforms.core.repair import original_answer
        return original_answer(row.answer_template)
    return E.annotation_answer(row.annotations or (), timestamp_decimals)


def resolve_resolution(row: ManifestRow, settings: BudgetSettings, info: VideoInfo) -> ManifestRow | Drop:
    """The row with its resolution normalised (None: the dataset's), or a drop when the profile forbids it.

    Normalising matters: rows at the dataset's resolution share segment keys, hence clips.
    """
    wanted = row.media_resolution
    if wanted is None or wanted == settings.media_resolution:
        return row.model_copy(update={"media_resolution": None}) if wanted else row
    if not settings.profile.per_part_resolution:
        return plan_drop(row, info, DropReason.MEDIA_RESOLUTION_MISMATCH,
                     f"the row asks for {wanted} but {settings.profile.name} needs one mediaResolution for "
                     f"the whole dataset ({settings.media_resolution}); remove the row's `media_resolution`, "
                     f"run with --media_resolution {wanted}, or tune with --profile gemini-3")
    return row


def plan_with_budget(info: VideoInfo, rows: Sequence[ManifestRow], settings: BudgetSettings,
                     virtual: bool = False) -> VideoPlan:
    drops: list[Drop] = []
    groups: dict[str, list[ManifestRow]] = defaultdict(list)
    for row in rows:
        resolved = resolve_resolution(row, settings, info)
        if isinstance(resolved, Drop):
            drops.append(resolved)
            continue
        resolution = resolved.media_resolution or settings.media_resolution
        problem = _over_budget_response(resolved, info, resolution, settings)
        if problem:
            drops.append(problem)
        else:
            groups[resolution].append(resolved)

    clips, row_plans = [], []
    for resolution in sorted(groups):
        group = groups[resolution]
        limits = _output_fps_floor(settings.limits_for(resolution), group, settings)
        cap = _annotated_cap(group, info, resolution, settings)
        if cap is not None and cap < _MIN_CLIP_SECONDS:
            for row in group:
                drops.append(plan_drop(row, info, DropReason.OVER_TOKEN_BUDGET,
                                   f"the prompt and answer alone come near --max_example_tokens "
                                   f"{settings.token_cap:,}; shorten them or raise the cap"))
            continue
        if cap is not None and cap < limits.planned_clip_seconds:
            # Re-planned shorter: clips short enough that every annotated example fits the budget.
            limits = dataclasses.replace(limits, max_clip_seconds=cap + limits.length_margin_seconds)
        plan = plan_video(info, group, limits, virtual)
        clips.extend(plan.clips)
        row_plans.extend(plan.rows)
        drops.extend(plan.drops)
    return VideoPlan(clips=tuple(clips), rows=tuple(row_plans), drops=tuple(drops))


def _output_fps_floor(limits: Limits, rows: Sequence[ManifestRow], settings: BudgetSettings) -> Limits:
    """--max_output_fps, raised to 2 x the fps a row's own example declares (a repaired line's
    videoMetadata.fps): options validation checks --fps, not the rows."""
    if settings.max_output_fps is None:
        return limits
    wanted = max((2 * row.fps for row in rows if row.fps), default=0.0)
    return dataclasses.replace(limits, fps_cap=wanted) if wanted > (limits.fps_cap or 0.0) else limits


def _fps(row: ManifestRow, settings: BudgetSettings) -> Optional[float]:
    return row.fps or settings.fps


def _annotated_cap(rows: Sequence[ManifestRow], info: VideoInfo, resolution: str,
                   settings: BudgetSettings) -> Optional[float]:
    caps = [seconds_within_tokens(settings.profile, settings.token_cap, info.has_audio, resolution,
                                  row.prompt + answer_bound(row, settings.timestamp_decimals), _fps(row, settings))
            for row in rows if row.response is None]
    return min(caps) if caps else None


def _over_budget_response(row: ManifestRow, info: VideoInfo, resolution: str,
                          settings: BudgetSettings) -> Optional[Drop]:
    """A fixed response is one example of the whole segment: it fits the budget or it is dropped."""
    if row.response is None:
        return None
    start = min(row.start or 0.0, info.duration)
    end = min(row.end, info.duration) if row.end is not None else info.duration
    tokens = estimate(settings.profile, end - start, info.has_audio, resolution,
                      row.prompt + answer_bound(row), _fps(row, settings)).total
    if tokens <= settings.token_cap:
        return None
    return plan_drop(row, info, DropReason.OVER_TOKEN_BUDGET,
                 f"the example would be about {tokens:,} tokens, over --max_example_tokens "
                 f"{settings.token_cap:,}, and a fixed `response` cannot be split; annotate it with times, "
                 "give a shorter `start`/`end`, use LOW, or lower --fps")
