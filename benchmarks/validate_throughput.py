"""How fast `pipeline.validate` checks a large dataset: N lines over a few videos, on DirectRunner.

    /tmp/venv/bin/python -m benchmarks.validate_throughput [LINES]

Prints lines per second. Most of the time per line is JSON parsing and Beam overhead; each
video is probed once however many lines use it.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import time

from pipeline.synthetic_media import VideoSpec, make_video
from pipeline.validate import run as validate


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    folder = tempfile.mkdtemp(prefix="validate-bench-")
    videos = [make_video(folder, VideoSpec(name=f"v{i}.mp4", seconds=20, size=(160, 120))) for i in range(3)]
    path = os.path.join(folder, "train.jsonl")
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(lines):
            video = {"fileData": {"fileUri": videos[i % 3], "mimeType": "video/mp4"},
                     "videoMetadata": {"startOffset": f"{i % 10}s", "endOffset": f"{10 + i % 10}s"}}
            handle.write(json.dumps({"contents": [
                {"role": "user", "parts": [video, {"text": f"Question {i}: what happens between 00:02 and 00:05?"}]},
                {"role": "model", "parts": [{"text": "A grey screen, nothing else."}]}],
                "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}}) + "\n")
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as report:
        code = validate([path] + sys.argv[2:])
    seconds = time.perf_counter() - started
    print(report.getvalue().splitlines()[0])
    print(f"validate: {lines:,} lines in {seconds:.1f} s = {lines / seconds:,.0f} lines/s (exit {code}, "
          f"{os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
