"""The demo's report.html (the corpus `bash dev.sh demo` builds from) in headless Chromium."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys

from tests.browser import visit
from tests.dataset_files import read_dataset
from tests.report.test_report_in_browser import REPO, VIEW, pytestmark  # noqa: F401 (the skip and e2e marks)
from tests.report.test_thumbnails import _colour

STRIPS = ("Array.from(document.querySelectorAll('[data-strip]')).map(s => [s.dataset.strip, "
          "s.querySelectorAll('figure.shot').length, s.querySelectorAll('img.thumb').length])")


def _events_per_example(lines, index) -> dict[str, int]:
    """row_id#clip_index -> the events its answer names (0 for a free-text answer)."""
    by_sha = {r["line_sha1"]: r for r in index}
    counts = {}
    for _, _, raw in lines:
        row = by_sha[hashlib.sha1(raw.encode("utf-8")).hexdigest()]
        answer = json.loads(raw)["contents"][1]["parts"][0]["text"]
        fence = re.search(r"```json\n(.*)\n```", answer, re.S)
        counts[f"{row['row_id']}#{row['clip_index']}"] = len(json.loads(fence.group(1))) if fence else 0
    return counts


def test_demo_report_in_chromium(corpus_manifest, tmp_path):
    out = str(tmp_path / "demo-output")
    done = subprocess.run([sys.executable, "-m", "pipeline.run", "--manifest", corpus_manifest, "--output", out],
                          cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    seen = visit(os.path.join(out, "report.html"), {**VIEW, "strip_shots": STRIPS}, width=1280, height=1000)
    (tmp_path / "demo-report.png").write_bytes(seen.screenshot_png)
    assert seen.console_errors == []
    lines, index, drops, _ = read_dataset(out)
    sources = {r["source_uri"] for r in index} | {d["source_uri"] for d in drops if d["source_uri"]}
    assert seen.values["timelines"] == len(sources) == 8
    assert set(seen.values["sources"]) == sources
    # Every shown example has a thumbnail per event of its answer (at most 6), all loaded.
    events = _events_per_example(lines, index)
    for key, figures, images in seen.values["strip_shots"]:
        assert figures == images == min(events[key], 6), key
    thumbs = seen.values["thumbs"]
    assert len(thumbs) == sum(images for _, _, images in seen.values["strip_shots"]) > 20
    for alt, src, loaded in thumbs:
        assert loaded
        assert _colour(base64.b64decode(src.split(",", 1)[1]), tmp_path) == alt.split(" at ")[0], alt
    assert os.path.getsize(os.path.join(out, "report.html")) < 3_000_000
