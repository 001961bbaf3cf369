"""Several videos per example (`video_uris`), end to end: one Gemini 3 run with README flags makes
one example of two real video parts (each with its own mediaResolution, each clip the painted video),
drops the row whose second video needs two clips, and a Gemini 2.5 run refuses the two-video row;
`pipeline.validate --profile gemini-2.5` reports the Gemini 3 line as over `videos_per_example`."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.conservation import assert_conserved
from tests.dataset_files import read_dataset
from tests.genai_schema import assert_valid_tuning_line
from tests.media_checks import FrameReader, colour_name
from transforms.gemini.profiles import GEMINI_3, estimate

pytestmark = pytest.mark.e2e

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RED = VideoSpec(name="red.mp4", seconds=4, size=(160, 120), events=(Event(1, 3, "red"),))
BLUE = VideoSpec(name="blue.mp4", seconds=4, size=(160, 120), events=(Event(1, 3, "blue"),))
LONG = VideoSpec(name="long.mp4", seconds=9, size=(160, 120), events=(Event(5, 7, "green"),))
PROMPT = "Which video turns red?"
ROWS = [
    {"id": "pair", "prompt": PROMPT, "response": "The first.",
     "video_uris": [RED.name, {"uri": BLUE.name, "media_resolution": "HIGH"}]},
    {"id": "too-long", "prompt": PROMPT, "response": "The first.", "video_uris": [RED.name, LONG.name]},
    {"id": "single", "video_uri": BLUE.name, "prompt": "When is it blue?", "annotations": [BLUE.events[0].annotation()]},
]


def _run(manifest: str, out: str, profile: str) -> subprocess.CompletedProcess:
    # --max_clip_seconds 6: a clip holds 5 s, so the 9 s video needs two (the README's flags).
    return subprocess.run([sys.executable, "-m", "pipeline.run", "--manifest", manifest, "--output", out,
                           "--profile", profile, "--media_resolution", "LOW", "--max_clip_seconds", "6",
                           "--validation_fraction", "0", "--max_drop_rate", "0.7"],
                          cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("several_videos"))
    for spec in (RED, BLUE, LONG):
        make_video(folder, spec)
    manifest = os.path.join(folder, "manifest.jsonl")
    with open(manifest, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in ROWS)
    gemini_3, gemini_25 = os.path.join(folder, "g3"), os.path.join(folder, "g25")
    return {"folder": folder, "manifest": manifest, "g3": gemini_3, "g25": gemini_25,
            "done_3": _run(manifest, gemini_3, "gemini-3"), "done_25": _run(manifest, gemini_25, "gemini-2.5")}


def _row_drops(out: str) -> dict:
    return {d["row_id"]: d for d in read_dataset(out)[2] if d["kind"] == "row"}


def test_gemini_3_writes_one_example_with_both_videos(runs):
    assert runs["done_3"].returncode == 0, runs["done_3"].stderr[-3000:]
    lines, index, _, stats = read_dataset(runs["g3"])
    pair = [line for _, line, _ in lines if len(line["contents"][0]["parts"]) == 3]
    assert len(lines) == 2 and len(pair) == 1
    line = pair[0]
    assert_valid_tuning_line(line)
    first, second, prompt = line["contents"][0]["parts"]
    assert prompt == {"text": PROMPT} and line["contents"][1]["parts"] == [{"text": "The first."}]
    assert first["mediaResolution"] == {"level": "MEDIA_RESOLUTION_LOW"}
    assert second["mediaResolution"] == {"level": "MEDIA_RESOLUTION_HIGH"}
    assert line["generationConfig"] == {"mediaResolution": "MEDIA_RESOLUTION_LOW"}
    rows = sorted((r for r in index if r["row_id"] == "pair"), key=lambda r: r["video_index"])
    assert [(r["video_index"], r["video_count"], os.path.basename(r["source_uri"])) for r in rows] == [
        (0, 2, "red.mp4"), (1, 2, "blue.mp4")]
    assert [r["file_uri"] for r in rows] == [first["fileData"]["fileUri"], second["fileData"]["fileUri"]]
    # The estimate counts both videos, each at its own level, and the texts once.
    expected = (estimate(GEMINI_3, rows[0]["duration"], True, "LOW").total
                + estimate(GEMINI_3, rows[1]["duration"], True, "HIGH").total
                + estimate(GEMINI_3, 0.0, False, "LOW", PROMPT + "The first.").text)
    assert {r["est_tokens"] for r in rows} == {expected}
    assert stats["rows_out"] == 2 and stats["rows_dropped"] == 1
    assert_conserved([runs["manifest"]], runs["g3"])


def test_each_video_part_is_its_painted_video(runs):
    _, line, _ = next(entry for entry in read_dataset(runs["g3"])[0] if len(entry[1]["contents"][0]["parts"]) == 3)
    for part, colour in zip(line["contents"][0]["parts"][:2], ("red", "blue")):
        path = part["fileData"]["fileUri"]
        assert os.path.exists(path), path
        frames = FrameReader(path)
        # The event is 1..3 s of each whole video: 0.6 s inside it, 0.7 s outside it.
        assert [colour_name(frames.colour_at(t)) for t in (1.6, 2.4)] == [colour, colour], path
        assert [colour_name(frames.colour_at(t)) for t in (0.3, 3.7)] == ["background", "background"], path


def test_a_row_whose_video_needs_two_clips_is_dropped_naming_it(runs):
    drop = _row_drops(runs["g3"])["too-long"]
    assert (drop["reason"], drop["stage"]) == ("video_needs_several_clips", "plan")
    assert drop["detail"].startswith("video 2 of 2 (") and "long.mp4" in drop["detail"]
    assert "cannot be chunked across videos" in drop["detail"]
    assert drop["location"] == runs["manifest"] + ":2"


def test_gemini_25_refuses_rows_of_several_videos(runs):
    assert runs["done_25"].returncode == 0, runs["done_25"].stderr[-3000:]
    drops = _row_drops(runs["g25"])
    assert sorted(drops) == ["pair", "too-long"]
    assert {d["reason"] for d in drops.values()} == {"too_many_videos"}
    assert "at most 1" in drops["pair"]["detail"]
    lines, index, _, _ = read_dataset(runs["g25"])
    assert [r["row_id"] for r in index] == ["single"] and len(lines) == 1
    assert_conserved([runs["manifest"]], runs["g25"])


def test_validate_reports_videos_per_example_under_gemini_25(runs):
    train = os.path.join(runs["g3"], "train.jsonl")
    refused = subprocess.run([sys.executable, "-m", "pipeline.validate", train, "--profile", "gemini-2.5",
                              "--media_resolution", "LOW"], cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "videos_per_example" in refused.stdout and "2 videos" in refused.stdout
    passed = subprocess.run([sys.executable, "-m", "pipeline.validate", train, "--profile", "gemini-3",
                             "--media_resolution", "LOW"], cwd=ROOT, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "0 errors" in passed.stdout
