"""report.html of a run on GCS (the emulator): written by the job with thumbnails read from gs://
clips, and written again by `python -m pipeline.report gs://…`, which follows LATEST."""
from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys

import pytest

from pipeline.run import run
from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.gcs.corpus import upload_corpus
from tests.gcs.emulator import BUCKET, storage_client
from tests.report.test_thumbnails import _colour

pytestmark = pytest.mark.e2e

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = f"gs://{BUCKET}/report-out"
SPECS = (VideoSpec(name="copy.mp4", seconds=8, audio=False, events=(Event(1, 3, "red"), Event(5, 7, "blue"))),
         VideoSpec(name="phone.mp4", seconds=8, rotation=90, events=(Event(3, 6, "green"),)))


def _text(uri: str) -> str:
    bucket, _, name = uri[len("gs://"):].partition("/")
    return storage_client().bucket(bucket).blob(name).download_as_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def gcs_run(gcs_emulator, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-gcs")
    rows = []
    for spec in SPECS:
        make_video(str(folder), spec)
        rows.append({"id": spec.name.split(".")[0], "video_uri": spec.name, "prompt": "List the colours.",
                     "annotations": [e.annotation() for e in spec.events]})
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    manifest = upload_corpus(str(folder / "manifest.jsonl"), "report-src", str(folder / "copy.jsonl"))
    code = run(["--manifest", manifest, "--output", OUT, "--run_id", "r1", "--validation_fraction", "0"])
    assert code == 0
    return folder


def _thumbs(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<img class="thumb" src="data:image/jpeg;base64,([^"]+)" alt="([^"]+)"', page)


def test_the_job_writes_the_report_with_thumbnails_of_the_gs_clips(gcs_run, tmp_path):
    page = _text(f"{OUT}/runs/r1/report.html")
    assert page.count("data-timeline") == 2
    thumbs = _thumbs(page)
    assert sorted(alt.split(" at ")[0] for _, alt in thumbs) == ["blue", "green", "red"]
    for data, alt in thumbs:
        assert _colour(base64.b64decode(data), tmp_path) == alt.split(" at ")[0]


def test_report_command_reads_a_gs_output_through_latest(gcs_run, tmp_path):
    target = tmp_path / "again.html"
    done = subprocess.run([sys.executable, "-m", "pipeline.report", OUT, "--report", "summary", "--to", str(target)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = target.read_text()
    assert f"{OUT}/runs/r1" in page and page.count("data-timeline") == 2 and _thumbs(page) == []
    assert "transcode (rotated 90)" in page and "copy (complies)" in page
