"""validate and several videos per example: the profile's `videos_per_example`, each part, their tokens together."""
from __future__ import annotations

import json

from transforms.gemini import validate_dataset as V
from transforms.gemini.profiles import GEMINI_3, GEMINI_25, estimate, with_overrides
from transforms.core.types import VideoInfo


def _line(*uris: str, levels=()) -> str:
    videos = [{"fileData": {"fileUri": uri, "mimeType": "video/mp4"}} for uri in uris]
    for video, level in zip(videos, levels):
        if level:
            video["mediaResolution"] = {"level": f"MEDIA_RESOLUTION_{level}"}
    return json.dumps({"contents": [{"role": "user", "parts": [*videos, {"text": "Which?"}]},
                                    {"role": "model", "parts": [{"text": "The second."}]}],
                       "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}})


def _info(uri: str, seconds: float) -> VideoInfo:
    return VideoInfo(uri=uri, size_bytes=1_000_000, container="mp4", duration=seconds, video_codec="h264",
                     width=320, height=240, fps=25.0, rotation=0, has_audio=True, audio_codec="aac", input_offset=0.0)


def test_gemini_25_reports_a_line_with_two_videos():
    facts, problems = V.check_line("/d/train.jsonl", 4, _line("gs://b/a.mp4", "gs://b/b.mp4"), GEMINI_25)
    assert facts is None
    [problem] = problems
    assert (problem.code, problem.severity, problem.location) == ("videos_per_example", V.ERROR, "/d/train.jsonl:4")
    assert "2 videos" in problem.detail and "exactly one" in problem.detail and "gemini-3" in problem.detail


def test_no_video_is_reported_under_every_profile():
    for profile in (GEMINI_25, GEMINI_3):
        facts, problems = V.check_line("f", 1, _line(), profile)
        assert facts is None and [p.code for p in problems] == ["videos_per_example"]


def test_gemini_3_takes_several_videos_each_with_its_facts():
    facts, problems = V.check_line("/d/train.jsonl", 1, _line("gs://b/a.mp4", "gs://b/b.mp4", levels=("", "HIGH")),
                                   GEMINI_3)
    assert problems == []
    assert [(f.video_uri, f.resolution) for f in facts.videos] == [("gs://b/a.mp4", "LOW"), ("gs://b/b.mp4", "HIGH")]
    assert all(f.location == "/d/train.jsonl:1" for f in facts.videos)
    over = V.check_line("f", 1, _line(*[f"gs://b/{i}.mp4" for i in range(3)]), with_overrides(GEMINI_3, videos_per_example=2))
    assert [p.code for p in over[1]] == ["videos_per_example"] and "one to 2" in over[1][0].detail


def test_each_part_is_checked_against_its_video_and_the_tokens_together():
    facts, _ = V.check_line("f", 1, _line("gs://b/a.mp4", "gs://b/b.mp4", levels=("HIGH", "HIGH")), GEMINI_3)
    infos = {"gs://b/a.mp4": _info("gs://b/a.mp4", 250.0), "gs://b/b.mp4": _info("gs://b/b.mp4", 400.0)}
    problems = V.check_against_videos(facts, infos, GEMINI_3, "MEDIUM")
    # b alone is over the 5-minute HIGH limit; the two together are over the token cap, a alone is not.
    assert sorted(p.code for p in problems) == ["over_token_budget", "too_long"]
    assert estimate(GEMINI_3, 250.0, True, "HIGH", "x" * 30).total < GEMINI_3.max_example_tokens
    assert "2 videos" in next(p for p in problems if p.code == "over_token_budget").detail
    short = {uri: _info(uri, 20.0) for uri in infos}
    assert V.check_against_videos(facts, short, GEMINI_3, "MEDIUM") == []
    # A video that could not be probed is skipped here (its probe failure is the problem reported).
    assert V.check_against_videos(facts, {"gs://b/a.mp4": short["gs://b/a.mp4"]}, GEMINI_3, "MEDIUM") == []
