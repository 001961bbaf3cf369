"""report.html as a user gets it: written by a run and by `python -m pipeline.report`, opened in
headless Chromium (no console error, one timeline per source, every thumbnail loaded and
showing the colour its label names)."""
from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_broken, make_video
from tests.browser import chromium_path, visit
from tests.report.test_thumbnails import _colour

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    chromium_path() is None,
    reason="chromium is not installed: `bash dev.sh test` installs it when run as root "
           "(apt-get install -y chromium); without it the report's browser test cannot run")]

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Small, and each source shows one thing: copied, remuxed, transcoded (rotated), cut into 10 s
# clips with an event longer than a clip (so it straddles the cuts), and a broken file.
SPECS = (
    VideoSpec(name="copy.mp4", seconds=8, audio=False, events=(Event(1, 3, "red"), Event(5, 7, "blue"))),
    VideoSpec(name="clip.mkv", seconds=9, events=(Event(2, 4, "yellow"), Event(6, 8, "magenta"))),
    VideoSpec(name="phone.mp4", seconds=8, rotation=90, events=(Event(3, 6, "green"),)),
    VideoSpec(name="long.mp4", seconds=24, gop_seconds=2, events=(Event(3, 5, "green"), Event(12, 21, "white"))),
)
PROMPT = "List the colour events with MM:SS times."
VIEW = {
    "timelines": "document.querySelectorAll('[data-timeline]').length",
    "sources": "Array.from(document.querySelectorAll('[data-timeline]')).map(e => e.dataset.source)",
    "thumbs": "Array.from(document.querySelectorAll('img.thumb')).map(i => [i.alt, i.src, i.complete && i.naturalWidth > 0])",
    "strips": "document.querySelectorAll('[data-strip]').length",
}


def _python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-corpus")
    rows = []
    for spec in SPECS:
        make_video(str(folder), spec)
        rows.append({"id": spec.name.split(".")[0], "video_uri": spec.name, "prompt": PROMPT,
                     "annotations": [e.annotation() for e in spec.events]})
    make_broken(str(folder))
    rows.append({"id": "broken", "video_uri": "broken.mp4", "prompt": PROMPT, "annotations": []})
    rows.append({"id": "no-video", "prompt": PROMPT, "annotations": []})
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = str(tmp_path_factory.mktemp("report-out"))
    done = _python("-m", "pipeline.run", "--manifest", str(manifest), "--output", out,
                   "--max_clip_seconds", "10", "--max_drop_rate", "0.5", "--validation_fraction", "0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Report: " in done.stdout
    return {"out": out, "folder": str(folder), "stdout": done.stdout}


def _answer_events(out: str) -> list[str]:
    """Every event label in the answers, read straight from train.jsonl."""
    labels = []
    with open(os.path.join(out, "train.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            answer = json.loads(line)["contents"][1]["parts"][0]["text"]
            labels += [item["label"] for item in json.loads(re.search(r"```json\n(.*)\n```", answer, re.S).group(1))]
    return labels


def test_the_run_writes_a_report_that_chromium_opens_cleanly(small_run, tmp_path):
    page = os.path.join(small_run["out"], "report.html")
    seen = visit(page, VIEW, full_page=True)
    (tmp_path / "report.png").write_bytes(seen.screenshot_png)
    assert seen.console_errors == []
    # One timeline per source: the four videos and the broken file (the row with no video has none).
    assert seen.values["timelines"] == 5
    assert sorted(os.path.basename(s) for s in seen.values["sources"]) == sorted(
        [s.name for s in SPECS] + ["broken.mp4"])
    assert seen.values["sources"][0].endswith("broken.mp4")  # the most troubled first
    # Six examples (long.mp4 in three clips), all shown: few enough, and long's are at cuts.
    assert seen.values["strips"] == 6
    thumbs = seen.values["thumbs"]
    assert sorted(alt.split(" at ")[0] for alt, _, _ in thumbs) == sorted(_answer_events(small_run["out"]))
    assert all(loaded for _, _, loaded in thumbs)
    # Each thumbnail shows what its label says: the remap put every event where it is.
    for alt, src, _ in thumbs:
        jpeg = base64.b64decode(src.split(",", 1)[1])
        assert _colour(jpeg, tmp_path) == alt.split(" at ")[0], alt
    assert len(seen.screenshot_png) > 10_000


def test_the_page_shows_the_straddler_the_transcode_and_the_drops(small_run):
    with open(os.path.join(small_run["out"], "report.html"), encoding="utf-8") as handle:
        page = handle.read()
    assert "transcode (rotated 90)" in page and "remux (container matroska)" in page
    assert 'id="drop-row-unreadable_media"' in page and 'id="drop-row-missing_field"' in page
    assert "re-export the file" in page  # the README's fix
    assert page.count('class="event edge"') >= 2  # white straddles a cut: in both clips


def test_report_command_rewrites_it_as_a_summary(small_run, tmp_path):
    target = str(tmp_path / "summary.html")
    done = _python("-m", "pipeline.report", small_run["out"], "--report", "summary", "--to", target)
    assert done.returncode == 0, done.stderr
    assert f"Report written to {target}" in done.stdout
    seen = visit(target, VIEW)
    assert seen.console_errors == []
    assert seen.values["timelines"] == 5 and seen.values["strips"] == 6 and seen.values["thumbs"] == []


def test_the_console_check_catches_errors(tmp_path):
    """The check above can fail: a page whose script throws and whose image is blocked is caught."""
    page = tmp_path / "broken.html"
    page.write_text('<meta http-equiv="Content-Security-Policy" content="img-src data:">'
                    '<img src="file:///nonexistent.png"><script>throw new Error("boom")</script>')
    seen = visit(str(page), {})
    assert any("boom" in e for e in seen.console_errors)
    assert len(seen.console_errors) >= 2, seen.console_errors
