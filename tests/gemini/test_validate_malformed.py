"""validate exists to report malformed lines: check_line reports each as a problem of that line,
and never raises, whatever JSON a line holds where an object, a list or a Duration belongs."""
from __future__ import annotations

import copy
import json

import pytest

from transforms.gemini.profiles import GEMINI_25
from transforms.gemini.validate_dataset import ERROR, check_line

GOOD = {"contents": [
    {"role": "user", "parts": [{"fileData": {"fileUri": "gs://b/v.mp4", "mimeType": "video/mp4"},
                                "videoMetadata": {"startOffset": "1s", "endOffset": "9s"}},
                               {"text": "What happens?"}]},
    {"role": "model", "parts": [{"text": "Red at 00:02."}]}],
    "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}}
VIDEO = ("contents", 0, "parts", 0)


def _with(path: tuple, value) -> dict:
    raw = copy.deepcopy(GOOD)
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return raw


BROKEN = {
    "non-numeric startOffset": (_with(VIDEO + ("videoMetadata", "startOffset"), "soons"), "segment"),
    "proto startOffset": (_with(VIDEO + ("videoMetadata", "startOffset"), {"seconds": "x"}), "segment"),
    "startOffset a list": (_with(VIDEO + ("videoMetadata", "startOffset"), [1]), "segment"),
    "fileData a string": (_with(VIDEO + ("fileData",), "gs://b/v.mp4"), "schema"),
    "fileData a list": (_with(VIDEO + ("fileData",), ["gs://b/v.mp4"]), "schema"),
    "videoMetadata a string": (_with(VIDEO + ("videoMetadata",), "1s-9s"), "schema"),
    "videoMetadata a list": (_with(VIDEO + ("videoMetadata",), [1, 9]), "schema"),
    "mediaResolution a list": (_with(VIDEO + ("mediaResolution",), ["LOW"]), "media_resolution"),
    "generationConfig a string": (_with(("generationConfig",), "LOW"), "schema"),
    "generationConfig resolution a dict": (_with(("generationConfig", "mediaResolution"), {"a": 1}),
                                           "media_resolution"),
    "mimeType a dict": (_with(VIDEO + ("fileData", "mimeType"), {"a": 1}), "mime_type"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_malformed_line_is_a_problem_of_that_line(name):
    raw, code = BROKEN[name]
    facts, problems = check_line("ds.jsonl", 4, json.dumps(raw), GEMINI_25)
    assert [(p.code, p.location) for p in problems if p.severity == ERROR] == [(code, "ds.jsonl:4")], problems


def test_the_good_line_has_no_problem():
    facts, problems = check_line("ds.jsonl", 1, json.dumps(GOOD), GEMINI_25)
    assert problems == [] and facts is not None and (facts.start, facts.end) == (1.0, 9.0)
