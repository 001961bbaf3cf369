"""Planning under a profile: per-row resolutions, and the re-plan that keeps examples under the token cap."""
from __future__ import annotations

import math

from transforms.core.budget import BudgetSettings, answer_bound, plan_with_budget
from transforms.core.manifest import parse_row
from transforms.gemini.profiles import GEMINI_3, GEMINI_25, estimate, with_overrides
from transforms.core.types import Action, DropReason, VideoInfo


def _video(seconds: float = 700.0, audio: bool = True) -> VideoInfo:
    return VideoInfo(uri="/v/a.mp4", size_bytes=int(seconds * 50_000), container="mp4", duration=seconds,
                     video_codec="h264", width=320, height=240, fps=25.0, rotation=0, has_audio=audio,
                     audio_codec="aac" if audio else "", input_offset=0.0,
                     keyframes=tuple(float(t) for t in range(0, int(seconds), 2)), identity="x")


def _row(row_id: str, **extra):
    raw = {"id": row_id, "video_uri": "/v/a.mp4", "prompt": "When is it red?",
           "annotations": [{"start": 10, "end": 14, "label": "red"}, {"start": 650, "end": 655, "label": "blue"}]}
    raw.update(extra)
    row = parse_row(raw, f"m.jsonl:{row_id}", "/v")
    assert not hasattr(row, "reason"), row
    return row


def _clips_by_row(plan):
    keys = {p.row.row_id: p.row.segment_key for p in plan.rows}
    return {row_id: [c for c in plan.clips if c.segment_key == key] for row_id, key in keys.items()}


def test_gemini_25_drops_a_row_asking_for_another_resolution():
    plan = plan_with_budget(_video(), [_row("low"), _row("same", media_resolution="low"),
                                       _row("medium", media_resolution="MEDIUM")],
                            BudgetSettings(profile=GEMINI_25, media_resolution="LOW"))
    assert sorted(p.row.row_id for p in plan.rows) == ["low", "same"]
    [drop] = plan.drops
    assert (drop.row_id, drop.reason) == ("medium", DropReason.MEDIA_RESOLUTION_MISMATCH)
    assert "--profile gemini-3" in drop.detail and "--media_resolution MEDIUM" in drop.detail
    # A row naming the dataset's own resolution shares the clips of rows that name none.
    by_row = _clips_by_row(plan)
    assert by_row["low"] == by_row["same"] and len(by_row["low"]) == 1


def test_gemini_3_plans_each_resolution_to_its_own_length_limit():
    plan = plan_with_budget(_video(700), [_row("low"), _row("medium", media_resolution="MEDIUM"),
                                          _row("high", media_resolution="HIGH")],
                            BudgetSettings(profile=GEMINI_3, media_resolution="LOW"))
    assert not plan.drops
    by_row = _clips_by_row(plan)
    assert len(by_row["low"]) == 1                        # 700 s fits 20 min
    assert len(by_row["medium"]) == len(by_row["high"]) == math.ceil(700 / 299)  # 5 min each
    assert all(c.end - c.start <= 300 for c in by_row["medium"] + by_row["high"])
    keys = {p.row.row_id: p.row.segment_key for p in plan.rows}
    assert len(set(keys.values())) == 3  # different resolutions never share clips


def test_annotated_row_over_the_token_cap_is_replanned_shorter():
    cap = 20_000
    settings = BudgetSettings(profile=GEMINI_25, media_resolution="LOW", max_example_tokens=cap)
    plan = plan_with_budget(_video(700), [_row("r")], settings)
    assert not plan.drops
    [row_plan] = plan.rows
    assert row_plan.clip_count == len(plan.clips) > 1
    text = row_plan.row.prompt + answer_bound(row_plan.row)
    for clip in plan.clips:
        assert clip.action is Action.CUT
        assert estimate(GEMINI_25, clip.end - clip.start, True, "LOW", text).total <= cap
    # Without the cap the same row is one clip.
    assert len(plan_with_budget(_video(700), [_row("r")], BudgetSettings()).clips) == 1


def test_fps_shortens_the_replan_further():
    base = BudgetSettings(profile=GEMINI_25, media_resolution="LOW", max_example_tokens=40_000)
    one = plan_with_budget(_video(700), [_row("r")], base)
    four = plan_with_budget(_video(700), [_row("r")], BudgetSettings(**{**base.__dict__, "fps": 4.0}))
    assert len(four.clips) > len(one.clips)


def test_fixed_response_over_the_cap_is_dropped_not_split():
    rows = [_row("answer", annotations=None, response="A red screen, then a blue one."),
            _row("short", annotations=None, response="Red.", start=0, end=60)]
    plan = plan_with_budget(_video(700), rows, BudgetSettings(max_example_tokens=20_000))
    assert [(d.row_id, d.reason) for d in plan.drops] == [("answer", DropReason.OVER_TOKEN_BUDGET)]
    assert "cannot be split" in plan.drops[0].detail
    assert [p.row.row_id for p in plan.rows] == ["short"]


def test_text_alone_over_the_cap_drops_the_row():
    settings = BudgetSettings(profile=with_overrides(GEMINI_25, max_example_tokens=50))
    plan = plan_with_budget(_video(100), [_row("r", prompt="p" * 400)], settings)
    assert [(d.row_id, d.reason) for d in plan.drops] == [("r", DropReason.OVER_TOKEN_BUDGET)]
    assert not plan.clips


def test_the_system_instruction_and_later_turns_count_towards_the_budget():
    settings = BudgetSettings(profile=GEMINI_25, media_resolution="LOW", max_example_tokens=60_000)
    # 700 s at LOW with audio: 700 x (64 + 6 + 32) = 71,400 tokens: over the cap, so annotated clips shorten.
    plain = plan_with_budget(_video(700), [_row("r")], settings)
    long_text = "x" * 160_000  # 40,000 tokens more on every example: clips of under 200 s
    heavy = plan_with_budget(_video(700), [_row("r", system_instruction=long_text)], settings)
    assert len(heavy.clips) > len(plain.clips)
    text = heavy.rows[0].row.prompt + answer_bound(heavy.rows[0].row)
    assert long_text in text
    for clip in heavy.clips:
        assert estimate(GEMINI_25, clip.end - clip.start, True, "LOW", text).total <= 60_000


def test_a_multi_turn_row_over_the_budget_is_dropped_like_a_response():
    settings = BudgetSettings(profile=GEMINI_25, media_resolution="LOW", max_example_tokens=60_000)
    short = {"turns": ["What is red?", "A flash.", "And blue?", "Later."], "prompt": None, "annotations": None}
    row = parse_row({"id": "t", "video_uri": "/v/a.mp4", **{k: v for k, v in short.items() if v is not None}},
                    "m.jsonl:t", "/v")
    assert row.turns == (("user", "And blue?"), ("model", "Later."))
    assert plan_with_budget(_video(400), [row], settings).drops == ()  # 400 x 102 = 40,800 tokens
    wordy = row.model_copy(update={"turns": (("user", "y" * 90_000), ("model", "ok"))})
    (drop,) = plan_with_budget(_video(400), [wordy], settings).drops
    assert drop.reason is DropReason.OVER_TOKEN_BUDGET
