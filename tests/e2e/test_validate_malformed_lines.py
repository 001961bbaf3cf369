"""`python -m pipeline.validate`, as a user runs it, reports malformed lines (the lines it exists to
report) as problems of those lines, and still checks the good ones; it never dies on one."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video

pytestmark = pytest.mark.e2e

ROOT = pathlib.Path(__file__).resolve().parents[2]
VIDEO = VideoSpec(name="short.mp4", seconds=4, size=(64, 48), fps=5, audio=False, events=(Event(1, 2, "red"),))


def _line(video_part: dict) -> str:
    return json.dumps({"contents": [{"role": "user", "parts": [video_part, {"text": "When is it red?"}]},
                                    {"role": "model", "parts": [{"text": "Red at 00:01."}]}],
                       "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}})


def test_malformed_lines_are_reported_at_their_lines(tmp_path):
    video = make_video(str(tmp_path), VIDEO)
    part = {"fileData": {"fileUri": video, "mimeType": "video/mp4"}}
    dataset = tmp_path / "train.jsonl"
    dataset.write_text("\n".join([
        _line(part),                                                          # 1: good
        _line({**part, "videoMetadata": {"startOffset": "soons"}}),           # 2: not a Duration
        _line({**part, "videoMetadata": {"startOffset": {"seconds": "x"}}}),  # 3: the proto form, not JSON's
        _line({"fileData": video}),                                           # 4: fileData not an object
        _line({**part, "videoMetadata": "0s-4s"}),                            # 5: videoMetadata not an object
    ]) + "\n")
    done = subprocess.run([sys.executable, "-m", "pipeline.validate", str(dataset)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    report = done.stdout
    assert "Validated 5 lines" in report, report
    # Every line names a local file (a local_uri warning, listed after the errors): the errors are checked.
    errors = report.split("local_uri (")[0]
    for number in (2, 3, 4, 5):
        assert f"{dataset}:{number}:" in errors, report
    assert f"{dataset}:1:" not in errors, report  # the good line, probed, has no error
