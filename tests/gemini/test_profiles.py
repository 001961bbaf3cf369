"""Profiles as data, and the token estimate against figures computed by hand."""
from __future__ import annotations

import pytest

from transforms.gemini import examples as E
from transforms.gemini.limits import default_limits
from transforms.gemini.profiles import (GEMINI_3, GEMINI_25, estimate, estimated_cost, get_profile, parse_resolution,
                                 seconds_within_tokens, with_overrides)


def test_twenty_minutes_low_with_audio_on_gemini_25():
    tokens = estimate(GEMINI_25, 1200, has_audio=True, resolution="LOW")
    # 1200 frames x 64 + 1200 s x 32, before text and timestamps.
    assert tokens.video + tokens.audio == 1200 * 64 + 1200 * 32 == 115_200
    assert tokens.timestamps == 1200 * 6
    assert tokens.total == 115_200 + 7_200


@pytest.mark.parametrize("profile, resolution, seconds, audio, expected_video, expected_audio", [
    (GEMINI_25, "MEDIUM", 300, False, 300 * 256, 0),
    (GEMINI_25, "HIGH", 60, True, 60 * 256, 60 * 32),
    (GEMINI_3, "LOW", 600, True, 600 * 70, 600 * 32),
    (GEMINI_3, "MEDIUM", 300, False, 300 * 70, 0),
    (GEMINI_3, "HIGH", 300, True, 300 * 280, 300 * 32),
])
def test_frame_and_audio_rates_per_profile(profile, resolution, seconds, audio, expected_video, expected_audio):
    tokens = estimate(profile, seconds, audio, resolution)
    assert (tokens.video, tokens.audio) == (expected_video, expected_audio)


def test_fps_multiplies_frames_and_timestamps_but_not_audio():
    one = estimate(GEMINI_25, 100, True, "LOW")
    two = estimate(GEMINI_25, 100, True, "LOW", fps=2.0)
    half = estimate(GEMINI_25, 100, True, "LOW", fps=0.5)
    assert (two.video, two.timestamps, two.audio) == (2 * one.video, 2 * one.timestamps, one.audio)
    assert (half.video, half.timestamps) == (3200, 300)


def test_text_is_about_four_characters_a_token():
    assert estimate(GEMINI_25, 0, False, "LOW", "x" * 400).total == 100
    assert estimate(GEMINI_25, 0, False, "LOW", "x" * 401).total == 101  # rounded up: a cap must hold


def test_examples_module_reads_the_profile_rates():
    assert E.estimate_tokens(1200, True, "LOW", "") == 115_200 + 7_200
    assert E.estimate_tokens(300, False, "HIGH", "", profile=GEMINI_3) == 300 * (280 + 6)


def test_seconds_within_tokens_is_the_longest_clip_that_fits():
    text = "y" * 4000  # 1,000 tokens
    for profile, resolution, audio, fps in ((GEMINI_25, "LOW", True, None), (GEMINI_3, "HIGH", False, 2.0),
                                            (GEMINI_25, "MEDIUM", True, 0.5)):
        seconds = seconds_within_tokens(profile, 20_000, audio, resolution, text, fps)
        assert estimate(profile, seconds, audio, resolution, text, fps).total <= 20_000
        assert estimate(profile, seconds + 3, audio, resolution, text, fps).total > 20_000
    assert seconds_within_tokens(GEMINI_25, 100, True, "LOW", "z" * 800) == 0.0


def test_limits_follow_the_profile_and_the_overrides():
    assert default_limits("LOW").max_clip_seconds == 1200
    assert default_limits("HIGH", profile=GEMINI_3).max_clip_seconds == 300
    changed = with_overrides(GEMINI_25, max_clip_seconds=90, max_file_bytes=50_000_000, tokens_per_frame=100,
                             max_example_tokens=None)
    assert changed.max_example_tokens == GEMINI_25.max_example_tokens  # None keeps the table's value
    limits = default_limits("MEDIUM", profile=changed)
    assert (limits.max_clip_seconds, limits.max_file_bytes) == (90, 50_000_000)
    assert estimate(changed, 10, False, "HIGH").video == 1000


def test_profile_lookup_and_resolution_spellings():
    assert get_profile("gemini-3") is GEMINI_3
    with pytest.raises(ValueError, match="gemini-2.5"):
        get_profile("gemini-9")
    assert [parse_resolution(v) for v in ("low", "MEDIA_RESOLUTION_HIGH", " Medium ", "ULTRA", 3)] == [
        "LOW", "HIGH", "MEDIUM", None, None]


def test_cost_is_training_tokens_times_epochs_times_price():
    assert estimated_cost(2_500_000, 3, 2.0) == 15.0
    assert estimated_cost(2_500_000, 3, None) is None


def test_example_line_writes_fps_and_the_part_level_as_googles_types_read_them():
    import json

    from tests.genai_schema import assert_valid_tuning_line

    plain = json.loads(E.example_line("gs://b/c.mp4", "video/mp4", "Q?", "A.", "LOW"))
    assert set(plain["contents"][0]["parts"][0]) == {"fileData"}
    line = json.loads(E.example_line("gs://b/c.mp4", "video/mp4", "Q?", "A.", "LOW", fps=2.5,
                                     part_resolution="HIGH"))
    video = line["contents"][0]["parts"][0]
    assert video["videoMetadata"] == {"fps": 2.5}
    assert video["mediaResolution"] == {"level": "MEDIA_RESOLUTION_HIGH"}
    assert line["generationConfig"] == {"mediaResolution": "MEDIA_RESOLUTION_LOW"}
    assert_valid_tuning_line(plain)
    assert_valid_tuning_line(line)
