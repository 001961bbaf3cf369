"""BuildExamples: join each row with the clips of its segment and write its examples.

A row becomes examples only when every clip it needs exists and every one of its
annotations landed in some clip; otherwise the whole row is dropped with the reason, so a
row is either wholly in the dataset or in the drops.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Optional, Sequence, Union

import apache_beam as beam

from transforms.core.budget import example_tokens
from transforms.core.conversation import extra_text
from transforms.gemini import examples as E
from transforms.gemini.profiles import GEMINI_25, Profile, estimate
from transforms.core.action_cause import action_cause
from transforms.core.remap import remap_to_clip, unplaced
from transforms.core.repair import item_text, render_answer, unsplittable_items
from transforms.core.types import (Action, BuiltPart, CutClip, Drop, DropReason, Example, ManifestRow, RowPlan,
                                   Stage)

DROPS = "drops"
PARTS = "parts"  # (row id, BuiltPart): a video of a row of several, for JoinVideoParts


@dataclasses.dataclass(frozen=True)
class ExampleSettings:
    media_resolution: str
    validation_fraction: float
    media_dir: str
    media_uri_prefix: Optional[str] = None
    timestamp_decimals: int = 0
    profile: Profile = GEMINI_25
    fps: Optional[float] = None                # --fps: written as videoMetadata.fps
    max_example_tokens: Optional[int] = None   # None: no cap here (planning already enforces it)
    max_file_bytes: Optional[int] = None       # names a transcode's cause in the index


def examples_for_row(plan: RowPlan, clips: Sequence[CutClip], failures: Sequence[Drop],
                     settings: ExampleSettings) -> Union[list[Example], Drop]:
    row = plan.row
    clips = sorted(clips, key=lambda c: c.spec.clip_index)

    def drop(reason: DropReason, detail: str) -> Drop:
        return Drop(row_id=row.row_id, source_uri=row.video_uri, stage=Stage.BUILD, reason=reason,
                    detail=detail, location=row.location)

    if failures or len(clips) != plan.clip_count:
        first = sorted(failures, key=lambda d: d.location)[0].detail if failures else "a clip is missing"
        return drop(DropReason.CLIP_LOST, f"{len(failures) or 1} of {plan.clip_count} clips failed: {first}")
    annotations = row.annotations or ()
    if annotations:
        missing = unplaced(annotations, [(c.source_start, c.source_end) for c in clips])
        if missing:
            return drop(DropReason.ANNOTATION_LOST,
                        f"annotations {missing} fall between the clips as cut; please report this")
    if row.answer_template is not None:
        stuck = unsplittable_items(row.answer_template, [(c.source_start, c.source_end) for c in clips])
        if stuck:
            bounds = ", ".join(f"{c.source_start:.3f}s..{c.source_end:.3f}s" for c in clips)
            return drop(DropReason.ANSWER_NOT_SPLITTABLE,
                        f"the answer's line {item_text(row.answer_template, stuck[0])!r} names times that no "
                        f"one clip holds (clips: {bounds}), and free text cannot be cut in two honestly; "
                        "put each event on its own line, answer in JSON, or use LOW (longer clips)")
    split = E.assign_split(row.video_uri, row.split, settings.validation_fraction)
    resolution = row.media_resolution or settings.media_resolution
    part_resolution = resolution if settings.profile.per_part_resolution else None
    fps = row.fps or settings.fps
    result = []
    for clip in clips:
        if row.annotations is None:
            answer = row.response or ""
        else:
            is_last = clip.spec.clip_index == len(clips) - 1
            remapped = remap_to_clip(annotations, clip.source_start, clip.source_end, is_last)
            answer = (render_answer(row.answer_template, remapped, clip.source_start, clip.source_end)
                      if row.answer_template is not None
                      else E.annotation_answer(remapped, settings.timestamp_decimals))
        uri = E.public_uri(clip.file_uri, settings.media_dir, settings.media_uri_prefix)
        offsets = (clip.source_start, clip.source_end) if clip.action is Action.VIRTUAL else None
        line = E.example_line(uri, clip.mime_type, row.prompt, answer, settings.media_resolution,
                              fps=fps, part_resolution=part_resolution, offsets=offsets,
                              system_instruction=row.system_instruction, turns=row.turns)
        text = row.prompt + answer + extra_text(row.system_instruction, row.turns)
        tokens = estimate(settings.profile, clip.duration, clip.has_audio, resolution, text, fps).total
        if settings.max_example_tokens and tokens > settings.max_example_tokens:
            # Planning keeps annotated clips within the budget; a measured clip can still run long.
            return drop(DropReason.OVER_TOKEN_BUDGET,
                        f"clip {clip.spec.clip_index} makes an example of about {tokens:,} tokens, over "
                        f"--max_example_tokens {settings.max_example_tokens:,}; lower --max_clip_seconds")
        index = index_row(row, clip, uri, split, tokens, line, resolution, settings, clip_count=len(clips))
        result.append(Example(split=split, sort_key=f"{row.row_id}\x00{clip.spec.clip_index:06d}",
                              line=line, index=index))
    return result


def part_for_row(plan: RowPlan, clips: Sequence[CutClip], failures: Sequence[Drop],
                 settings: ExampleSettings) -> Union[BuiltPart, Drop]:
    """A part row's one clip, ready for its example; or the drop of the part."""
    row = plan.row
    if failures or len(clips) != plan.clip_count or len(clips) != 1:
        first = sorted(failures, key=lambda d: d.location)[0].detail if failures else "the clip is missing"
        return Drop(row_id=row.row_id, source_uri=row.video_uri, stage=Stage.BUILD, reason=DropReason.CLIP_LOST,
                    detail=f"its clip failed: {first}", location=row.location)
    clip = clips[0]
    uri = E.public_uri(clip.file_uri, settings.media_dir, settings.media_uri_prefix)
    resolution = row.media_resolution or settings.media_resolution
    # The line's digest, its tokens and its split are the whole example's: `multi_video_example` (below) sets them.
    return BuiltPart(part_index=row.part_index, clip=clip, file_uri=uri, resolution=resolution,
                     index=index_row(row, clip, uri, "", 0, "", resolution, settings))


def multi_video_example(row: ManifestRow, parts: Sequence[BuiltPart], settings: ExampleSettings) -> Union[Example, Drop]:
    """One example with every video part in order, then the row's prompt; its answer passed through."""
    fps = row.fps or settings.fps
    per_part = settings.profile.per_part_resolution
    videos = [E.video_part(p.file_uri, p.clip.mime_type, fps, p.resolution if per_part else None,
                           (p.clip.source_start, p.clip.source_end) if p.clip.action is Action.VIRTUAL else None)
              for p in parts]
    answer = row.response or ""
    line = E.videos_line(videos, row.prompt, answer, settings.media_resolution,
                         system_instruction=row.system_instruction, turns=row.turns)
    text = row.prompt + answer + extra_text(row.system_instruction, row.turns)
    tokens = example_tokens(settings.profile, [(p.clip.duration, p.clip.has_audio, p.resolution) for p in parts],
                            text, fps)
    if settings.max_example_tokens and tokens > settings.max_example_tokens:
        seconds = sum(p.clip.duration for p in parts)
        return Drop(row_id=row.row_id, source_uri=row.video_uri, stage=Stage.BUILD,
                    reason=DropReason.OVER_TOKEN_BUDGET,
                    detail=f"its {len(parts)} videos ({seconds:.1f}s in all) make an example of about {tokens:,} "
                           f"tokens, over --max_example_tokens {settings.max_example_tokens:,}; use fewer or "
                           "shorter videos, or LOW", location=row.location)
    split = E.assign_split(row.video_uri, row.split, settings.validation_fraction)
    whole = {"split": split, "est_tokens": tokens, "line_sha1": E.line_sha1(line),
             "line_bytes": len(line.encode("utf-8")) + 1}
    rows = [{**p.index, **whole} for p in parts]
    return Example(split=split, sort_key=f"{row.row_id}\x00{0:06d}", line=line, index=rows[0],
                   more_index=tuple(rows[1:]))


def index_row(row: ManifestRow, clip: CutClip, uri: str, split: str, tokens: int, line: str,
              resolution: str, settings: ExampleSettings, clip_count: int = 1) -> dict:
    """The index row of one clip of an example (one video of it, for an example of several)."""
    return {
        "split": split,
        "row_id": row.row_id,
        "source_uri": row.video_uri,
        "source_start": round(clip.source_start, 6),
        "source_end": round(clip.source_end, 6),
        "file_uri": uri,
        "clip_index": clip.spec.clip_index,
        "clip_count": clip_count,
        "duration": round(clip.duration, 6),
        "bytes": clip.bytes,
        "action": clip.action.value,
        "mime_type": clip.mime_type,
        "est_tokens": tokens,
        "line_sha1": E.line_sha1(line),
        "location": row.location,
        "source_duration": round(clip.spec.source.duration, 6),
        "planned_start": round(clip.spec.start, 6),
        "planned_end": round(clip.spec.end, 6),
        "action_cause": action_cause(clip.spec, clip.action, settings.max_file_bytes),
        "note": clip.note,  # why the clip was made another way than the obvious one (--oversize split)
        "video_index": row.part_index or 0,
        "video_count": row.part_count or 1,
        # Not index columns: what the statistics and the dataset limits need.
        "media_resolution": resolution,
        "line_bytes": len(line.encode("utf-8")) + 1,
    }


class _BuildFn(beam.DoFn):
    def __init__(self, settings: ExampleSettings):
        self._settings = settings

    def process(self, element: tuple[str, dict[str, Iterable]]):
        _, grouped = element
        clips = list(grouped["clips"])
        failures = list(grouped["failures"])
        for plan in grouped["rows"]:
            if plan.row.part_index is not None:  # a video of a several-video row: joined later, by row
                part = part_for_row(plan, clips, failures, self._settings)
                if isinstance(part, Drop):
                    yield beam.pvalue.TaggedOutput(DROPS, part)
                else:
                    yield beam.pvalue.TaggedOutput(PARTS, (plan.row.row_id, part))
                continue
            outcome = examples_for_row(plan, clips, failures, self._settings)
            if isinstance(outcome, Drop):
                yield beam.pvalue.TaggedOutput(DROPS, outcome)
            else:
                yield from outcome


@dataclasses.dataclass
class BuildExamples(beam.PTransform):
    """{rows, clips, failures} keyed by segment -> Example; tagged `drops` (one per lost row) and
    `parts` (row id, BuiltPart) of several-video rows."""

    settings: ExampleSettings

    def expand(self, keyed):
        return (keyed
                | "JoinRowsAndClips" >> beam.CoGroupByKey()
                | "Build" >> beam.ParDo(_BuildFn(self.settings)).with_outputs(DROPS, PARTS, main="examples"))
