"""A malformed tuning example is a drop record for that line alone: row_from_example never raises,
whatever JSON a line holds where an object, a list, a number or a Duration belongs."""
from __future__ import annotations

import copy

import pytest

from transforms.core.repair import row_from_example
from transforms.core.types import Drop, DropReason, ManifestRow

GOOD = {"contents": [
    {"role": "user", "parts": [{"fileData": {"fileUri": "gs://b/v.mp4", "mimeType": "video/mp4"},
                                "videoMetadata": {"startOffset": "1s", "endOffset": "9s"}},
                               {"text": "What happens?"}]},
    {"role": "model", "parts": [{"text": "Red at 00:02."}]}]}


def _with(path: tuple, value) -> dict:
    raw = copy.deepcopy(GOOD)
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return raw


VIDEO = ("contents", 0, "parts", 0)
BROKEN = {
    "non-numeric startOffset": (_with(VIDEO + ("videoMetadata", "startOffset"), "soon"), DropReason.BAD_TIME),
    "non-numeric proto seconds": (_with(VIDEO + ("videoMetadata", "startOffset"), {"seconds": "x"}),
                                  DropReason.BAD_TIME),
    "proto nanos a list": (_with(VIDEO + ("videoMetadata", "endOffset"), {"seconds": 9, "nanos": [1]}),
                           DropReason.BAD_TIME),
    "startOffset a list": (_with(VIDEO + ("videoMetadata", "startOffset"), [1]), DropReason.BAD_TIME),
    "fileData a string": (_with(VIDEO + ("fileData",), "gs://b/v.mp4"), DropReason.MALFORMED_ROW),
    "fileData a list": (_with(VIDEO + ("fileData",), ["gs://b/v.mp4"]), DropReason.MALFORMED_ROW),
    "fileUri a number": (_with(VIDEO + ("fileData", "fileUri"), 7), DropReason.MISSING_FIELD),
    "videoMetadata a string": (_with(VIDEO + ("videoMetadata",), "1s-9s"), DropReason.MALFORMED_ROW),
    "mediaResolution a string": (_with(VIDEO + ("mediaResolution",), "MEDIA_RESOLUTION_LOW"),
                                 DropReason.MALFORMED_ROW),
    "mediaResolution level a number": (_with(VIDEO + ("mediaResolution",), {"level": 3}), DropReason.MALFORMED_ROW),
    "fps a boolean": (_with(VIDEO + ("videoMetadata", "fps"), True), DropReason.MALFORMED_ROW),
    "parts a number": (_with(("contents", 0, "parts"), 5), DropReason.MALFORMED_ROW),
    "model parts a number": (_with(("contents", 1, "parts"), 5), DropReason.MALFORMED_ROW),
    "a content a string": (_with(("contents", 1), "answer"), DropReason.NO_TARGET),
    "split unknown": (dict(GOOD, split="holdout"), DropReason.MALFORMED_ROW),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_malformed_example_is_a_drop_for_its_line(name):
    raw, reason = BROKEN[name]
    drop = row_from_example(raw, "old.jsonl:7", "/d", "r7")
    assert isinstance(drop, Drop), (name, drop)
    assert (drop.reason, drop.location, drop.row_id) == (reason, "old.jsonl:7", "r7"), drop.detail


def test_the_good_example_is_a_row():
    row = row_from_example(GOOD, "old.jsonl:1", "/d", "r1")
    assert isinstance(row, ManifestRow) and (row.start, row.end) == (1.0, 9.0)
