"""`python -m pipeline.validate` on a dataset and videos that live on GCS (the emulator)."""
import json

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from pipeline.validate import run as validate
from tests.gcs.emulator import BUCKET, upload

pytestmark = pytest.mark.e2e


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
