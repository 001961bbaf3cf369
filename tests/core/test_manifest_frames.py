"""Manifest annotations in frame numbers: what parses, and the drop for what does not."""
from __future__ import annotations

import pytest

from transforms.core.manifest import parse_row
from transforms.core.types import Drop, DropReason


def _parse(annotation: dict):
    return parse_row({"id": "r", "video_uri": "/v.mp4", "prompt": "p", "annotations": [annotation]},
                     "m.jsonl:3", "/")


def test_frames_parse_and_are_not_copied_into_the_answer_fields():
    row = _parse({"start_frame": "12", "end_frame": 30.0, "label": "car"})
    ann = row.annotations[0]
    assert (ann.start_frame, ann.end_frame, ann.fields) == (12, 30, {"label": "car"})
    assert _parse({"start_frame": 0}).annotations[0].end_frame is None  # a point in frames


@pytest.mark.parametrize("annotation, reason, words", [
    ({"start_frame": 1.5}, DropReason.BAD_TIME, "whole number"),
    ({"start_frame": -1}, DropReason.BAD_TIME, "whole number"),
    ({"start_frame": "abc"}, DropReason.BAD_TIME, "whole number"),
    ({"start_frame": True}, DropReason.BAD_TIME, "whole number"),
    ({"start_frame": "inf"}, DropReason.BAD_TIME, "whole number"),
    ({"start_frame": 9, "end_frame": 3}, DropReason.BAD_RANGE, "frame 3"),
    ({"start": 1, "start_frame": 3}, DropReason.MALFORMED_ROW, "keep one"),
    ({"start": 1, "end_frame": 3}, DropReason.MALFORMED_ROW, "mixes"),
    ({"start_frame": 1, "end": 3}, DropReason.MALFORMED_ROW, "mixes"),
    ({"end_frame": 3}, DropReason.MISSING_FIELD, "start_frame"),
])
def test_bad_frame_numbers_are_drops_that_say_why(annotation, reason, words):
    drop = _parse(annotation)
    assert isinstance(drop, Drop) and drop.reason is reason and words in drop.detail
    assert drop.location == "m.jsonl:3"
