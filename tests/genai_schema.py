"""Check a tuning line with Google's own SDK types (google-genai's pydantic models forbid unknown fields)."""
from __future__ import annotations

from typing import Any

from google.genai import types


def assert_valid_tuning_line(line: dict[str, Any]) -> None:
    assert set(line) <= {"contents", "generationConfig", "systemInstruction"}, sorted(line)
    contents = [types.Content.model_validate(c) for c in line["contents"]]
    roles = [c.role for c in contents]
    # As Google's dataset validator checked: the user first, user and model alternating, the model last.
    assert roles[0] == "user" and roles[-1] == "model", roles
    assert all(a != b for a, b in zip(roles, roles[1:])), roles
    *videos, prompt = contents[0].parts  # one video part, or several (Gemini 3), then the prompt
    assert videos and prompt.text
    for video in videos:
        assert isinstance(video.file_data, types.FileData) and video.file_data.file_uri and video.file_data.mime_type
        assert video.text is None  # the video parts come first
        if video.video_metadata is not None:
            assert isinstance(video.video_metadata, types.VideoMetadata)
            assert video.video_metadata.fps is None or 0 < video.video_metadata.fps <= 24
        if video.media_resolution is not None:
            assert isinstance(video.media_resolution, types.PartMediaResolution) and video.media_resolution.level
    for content in contents[1:]:
        assert [p.text is not None for p in content.parts] == [True], content  # every later turn: one text
    if "systemInstruction" in line:
        system = types.Content.model_validate(line["systemInstruction"])
        assert system.parts and all(p.text for p in system.parts)
    config = types.GenerationConfig.model_validate(line["generationConfig"])
    assert config.media_resolution is not None
