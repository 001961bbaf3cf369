"""The profile flags: validated with messages that say what to change, and applied over the profile's table."""
from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.options import VideoDatasetOptions, run_config, validate


def _opts(*flags: str) -> VideoDatasetOptions:
    return PipelineOptions(["--manifest", "m.jsonl", "--output", "out", *flags]).view_as(VideoDatasetOptions)


def test_defaults_are_gemini_25():
    config = run_config(_opts())
    assert (config.profile.name, config.profile.max_example_tokens, config.fps, config.epochs) == (
        "gemini-2.5", 131_072, None, 1)
    assert validate(_opts()) == []


def test_bad_values_are_refused_with_the_flag_named():
    errors = validate(_opts("--fps", "30", "--epochs", "0", "--max_example_tokens", "0",
                            "--price_per_million_tokens", "-1"))
    joined = " | ".join(errors)
    assert "--fps must be in (0, 24]" in joined and "--epochs" in joined
    assert "--max_example_tokens" in joined and "--price_per_million_tokens" in joined


def test_every_flag_overrides_the_profile_table():
    config = run_config(_opts("--profile", "gemini-3", "--max_example_tokens", "5000", "--max_validation_examples",
                              "7", "--max_clip_seconds", "90", "--tokens_per_frame", "100", "--fps", "2.5",
                              "--max_training_file_bytes", "1000", "--max_examples", "9"))
    profile = config.profile
    assert (profile.name, profile.per_part_resolution) == ("gemini-3", True)
    assert (profile.max_example_tokens, profile.max_validation_examples, profile.max_training_file_bytes,
            profile.max_examples) == (5000, 7, 1000, 9)
    assert profile.clip_seconds("HIGH") == profile.clip_seconds("LOW") == config.limits.max_clip_seconds == 90
    assert profile.frame_tokens("HIGH") == 100 and config.fps == 2.5


def test_videos_per_example_is_the_profiles_unless_the_flag_says():
    assert run_config(_opts()).profile.videos_per_example == 1
    assert run_config(_opts("--profile", "gemini-3")).profile.videos_per_example == 10
    assert run_config(_opts("--profile", "gemini-3", "--videos_per_example", "2")).profile.videos_per_example == 2
    assert any("--videos_per_example must be positive" in e for e in validate(_opts("--videos_per_example", "0")))
