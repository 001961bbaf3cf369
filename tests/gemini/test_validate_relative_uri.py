"""A relative fileUri is an error, a local path a warning (the tuning service cannot read one), and is still resolved the way
the manifest resolves one, so that the video is checked: gs://b/x stays gs://b/x (never gs:/b/x)."""
from __future__ import annotations

import json

import pytest

from transforms.gemini.profiles import GEMINI_25
from transforms.gemini.validate_dataset import ERROR, WARNING, check_line


def _line(uri: str) -> str:
    return json.dumps({"contents": [
        {"role": "user", "parts": [{"fileData": {"fileUri": uri, "mimeType": "video/mp4"}}, {"text": "When?"}]},
        {"role": "model", "parts": [{"text": "Red at 00:02."}]}],
        "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}})


@pytest.mark.parametrize("dataset, uri, resolved", [
    ("gs://b/ds/train.jsonl", "media/a.mp4", "gs://b/ds/media/a.mp4"),
    ("gs://b/ds/train.jsonl", "../media/a.mp4", "gs://b/media/a.mp4"),
    ("/data/ds/train.jsonl", "./media/a.mp4", "/data/ds/media/a.mp4"),
])
def test_a_relative_file_uri_is_an_error_and_resolves_like_the_manifest(dataset, uri, resolved):
    facts, problems = check_line(dataset, 3, _line(uri), GEMINI_25)
    assert [(p.severity, p.code, p.location) for p in problems] == [(ERROR, "relative_uri", f"{dataset}:3")]
    assert uri in problems[0].detail
    assert facts is not None and facts.video_uri == resolved


@pytest.mark.parametrize("uri", ["gs://b/media/a.mp4", "https://example.com/a.mp4"])
def test_a_uri_the_service_can_read_is_not_reported(uri):
    facts, problems = check_line("gs://b/ds/train.jsonl", 1, _line(uri), GEMINI_25)
    assert problems == [] and facts.video_uri == uri


def test_a_local_path_is_a_warning_and_its_video_is_still_checked():
    # A local dataset is for a look on this machine: the tuning service cannot read the file.
    facts, problems = check_line("/data/ds/train.jsonl", 1, _line("/data/media/a.mp4"), GEMINI_25)
    assert [(p.severity, p.code) for p in problems] == [(WARNING, "local_uri")]
    assert "--media_uri_prefix" in problems[0].detail and facts.video_uri == "/data/media/a.mp4"
