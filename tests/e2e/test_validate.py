"""`python -m pipeline.validate` on a good and on a broken dataset, with real videos and the real probe."""
from __future__ import annotations

import json
import os

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from pipeline.validate import run as validate

pytestmark = pytest.mark.e2e


def _line(uri: str, mime: str = "video/mp4", meta=None, resolution="MEDIA_RESOLUTION_LOW", video_first=True,
          two_videos=False, part_level=None, answer="Red from 00:02 to 00:04.") -> str:
    video = {"fileData": {"fileUri": uri, "mimeType": mime}}
    if meta:
        video["videoMetadata"] = meta
    if part_level:
        video["mediaResolution"] = {"level": part_level}
    parts = [video, {"text": "When is it red?"}] if video_first else [{"text": "When is it red?"}, video]
    if two_videos:
        parts.insert(1, dict(video))
    return json.dumps({"contents": [{"role": "user", "parts": parts}, {"role": "model", "parts": [{"text": answer}]}],
                       "generationConfig": {"mediaResolution": resolution}})


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("validate")
    make_video(str(path), VideoSpec(name="a.mp4", seconds=8, size=(160, 120), events=(Event(2, 4, "red"),)))
    make_video(str(path), VideoSpec(name="b.mkv", seconds=6, size=(160, 120)))
    return path


# Where the videos are, written into lines made before the folder exists (a fileUri must be absolute).
HERE = "/@videos@"


def _write(path, lines) -> str:
    text = "".join(line + "\n" for line in lines).replace(HERE, str(path.parent))
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_good_dataset_passes(folder, capsys):
    train = _write(folder / "good-train.jsonl", [
        _line(f"{HERE}/a.mp4"), _line(f"{HERE}/a.mp4", meta={"startOffset": "1s", "endOffset": "5.5s", "fps": 2})])
    _write(folder / "good-validation.jsonl", [_line(f"{HERE}/a.mp4")])
    code = validate([str(folder / "good-*.jsonl"), "--profile", "gemini-2.5"])
    report = capsys.readouterr().out
    assert code == 0, report
    # The lines name local files: fine for a look here, a warning because the service cannot read them.
    assert "Validated 3 lines referencing 1 videos against gemini-2.5: 0 errors, 3 warnings" in report
    assert "local_uri (3)" in report
    assert os.path.exists(train)


BROKEN = [
    ("ok", _line(f"{HERE}/a.mp4")),
    ("not_json", "{not json"),
    ("mime_mismatch", _line(f"{HERE}/b.mkv")),
    ("video_after_text", _line(f"{HERE}/a.mp4", video_first=False)),
    ("source_not_found", _line(f"{HERE}/missing.mp4")),
    ("segment_out_of_range", _line(f"{HERE}/a.mp4", meta={"startOffset": "20s"})),
    ("mixed_media_resolution", _line(f"{HERE}/a.mp4", resolution="MEDIA_RESOLUTION_MEDIUM")),
    ("videos_per_example", _line(f"{HERE}/a.mp4", two_videos=True)),
    ("mime_type", _line(f"{HERE}/a.mp4", mime="video/x-matroska")),
    ("fps", _line(f"{HERE}/a.mp4", meta={"fps": 30})),
    ("media_resolution", _line(f"{HERE}/a.mp4", part_level="MEDIA_RESOLUTION_HIGH")),
    ("over_token_budget", _line(f"{HERE}/a.mp4", answer="x" * 2000)),
    ("relative_uri", _line("a.mp4")),  # resolved beside the dataset, so only its URI is wrong
]


def test_a_broken_dataset_fails_with_every_problem_grouped_and_located(folder, capsys):
    path = _write(folder / "broken.jsonl", [line for _, line in BROKEN])
    code = validate([path, "--max_example_tokens", "1000"])
    report = capsys.readouterr().out
    assert code == 1, report
    assert "Result: FAIL" in report
    sections = report.split("\n")
    # Every line names a local file (a local_uri warning each): the errors are what is checked here.
    errors = report.split("local_uri (")[0]
    for number, (code_name, _) in enumerate(BROKEN, start=1):
        if code_name == "ok":
            assert f"broken.jsonl:{number}:" not in errors.replace("(dataset)", "")
            continue
        header = next((i for i, s in enumerate(sections) if s.strip().startswith(f"{code_name} (")), None)
        assert header is not None, (code_name, report)
        if code_name != "mixed_media_resolution":
            assert f"broken.jsonl:{number}:" in report, (code_name, report)


def test_validation_file_over_the_cap_and_gemini_3_part_levels(folder, capsys):
    path = _write(folder / "many-validation.jsonl",
                  [_line(f"{HERE}/a.mp4", part_level="MEDIA_RESOLUTION_HIGH")] * 3)
    code = validate([path, "--profile", "gemini-3", "--max_validation_examples", "2"])
    report = capsys.readouterr().out
    assert code == 1
    assert "validation_too_large (1):" in report and "3 validation examples, over 2" in report
    assert "media_resolution" not in report  # gemini-3 takes a level on the part
