"""`python -m pipeline.validate` on a dataset and videos that live on GCS (the emulator)."""
import json
import pathlib
import subprocess
import sys

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from pipeline.validate import run as validate
from tests.gcs.emulator import BUCKET, upload

pytestmark = pytest.mark.e2e
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _line(uri: str, mime: str = "video/mp4") -> str:
    return json.dumps({"contents": [
        {"role": "user", "parts": [{"fileData": {"fileUri": uri, "mimeType": mime}}, {"text": "When is it red?"}]},
        {"role": "model", "parts": [{"text": "Red from 00:02 to 00:04."}]}],
        "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}})


def test_validate_reads_the_dataset_and_probes_the_videos_on_gcs(gcs_emulator, tmp_path, capsys):
    video = make_video(str(tmp_path), VideoSpec(name="a.mp4", seconds=6, size=(160, 120), events=(Event(2, 4, "red"),)))
    good = upload(video, f"gs://{BUCKET}/validate/a.mp4")
    train = tmp_path / "train.jsonl"
    train.write_text("\n".join([_line(good), _line(f"gs://{BUCKET}/validate/missing.mp4"),
                                _line(good, mime="video/webm")]) + "\n")
    dataset = upload(str(train), f"gs://{BUCKET}/validate/train.jsonl")

    code = validate([dataset, "--profile", "gemini-2.5"])
    report = capsys.readouterr().out
    assert code == 1, report
    # The good line passes; the other two are found at their lines, from the objects themselves.
    assert "Validated 3 lines" in report
    assert "source_not_found" in report and "mime_mismatch" in report
    assert ":2" in report and ":3" in report


def test_validate_command_reports_a_relative_file_uri_and_still_checks_its_video(gcs_emulator, tmp_path):
    """`python -m pipeline.validate gs://…` as a user runs it: the relative fileUri is an error; it
    resolves to the object beside the dataset (not gs:/…), so the video itself is found and probed."""
    video = make_video(str(tmp_path), VideoSpec(name="a.mp4", seconds=6, size=(160, 120), events=(Event(2, 4, "red"),)))
    upload(video, f"gs://{BUCKET}/validate-relative/media/a.mp4")
    train = tmp_path / "train.jsonl"
    train.write_text(_line("media/a.mp4") + "\n")
    dataset = upload(str(train), f"gs://{BUCKET}/validate-relative/train.jsonl")
    # The emulator's address and dummy credentials are in this process's environment: the child inherits them.
    done = subprocess.run([sys.executable, "-m", "pipeline.validate", dataset], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert "relative_uri (1)" in done.stdout and f"{dataset}:1: fileUri 'media/a.mp4'" in done.stdout, done.stdout
    assert "source_not_found" not in done.stdout and "unsupported_uri" not in done.stdout, done.stdout
    assert "1 errors" in done.stdout, done.stdout  # the video is fine: the URI is the only problem
