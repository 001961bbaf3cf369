"""The validator's pure checks: one line, one line against its probed video, the dataset, the report."""
from __future__ import annotations

import json

from transforms.gemini import validate_dataset as V
from transforms.gemini import validation_report as R
from transforms.gemini.profiles import GEMINI_3, GEMINI_25
from transforms.core.types import VideoInfo


def _text(video_first=True, **video_extra) -> str:
    video = {"fileData": {"fileUri": "gs://d/clips/a.mp4", "mimeType": "video/mp4"}, **video_extra}
    parts = [video, {"text": "Describe."}] if video_first else [{"text": "Describe."}, video]
    return json.dumps({"contents": [{"role": "user", "parts": parts}, {"role": "model", "parts": [{"text": "ok"}]}],
                       "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}})


def _info(**changes) -> VideoInfo:
    base = dict(uri="gs://d/clips/a.mp4", size_bytes=5_000_000, container="mp4", duration=600.0, video_codec="h264",
                width=320, height=240, fps=25.0, rotation=0, has_audio=True, audio_codec="aac", input_offset=0.0)
    base.update(changes)
    return VideoInfo(**base)


def test_a_good_line_gives_its_facts():
    facts, problems = V.check_line("gs://d/train.jsonl", 7, _text(videoMetadata={"startOffset": "1.5s", "fps": 2}),
                                   GEMINI_25)
    assert problems == []
    assert (facts.location, facts.video_uri, facts.start, facts.end, facts.fps, facts.resolution) == (
        "gs://d/train.jsonl:7", "gs://d/clips/a.mp4", 1.5, None, 2.0, "LOW")
    assert V.check_against_video(facts, _info(), GEMINI_25, "MEDIUM") == []


def test_line_problems_are_named():
    codes = lambda text, profile=GEMINI_25: [p.code for p in V.check_line("f", 1, text, profile)[1]]  # noqa: E731
    assert codes(_text(video_first=False)) == ["video_after_text"]
    assert codes(_text(videoMetadata={"startOffset": "00:05"})) == ["segment"]  # not a Duration string
    assert codes(_text(videoMetadata={"fps": 0})) == ["fps"]
    part_level = _text(mediaResolution={"level": "MEDIA_RESOLUTION_HIGH"})
    assert codes(part_level) == ["media_resolution"] and codes(part_level, GEMINI_3) == []
    assert codes("[1]") == ["schema"]


def test_against_the_video():
    facts, _ = V.check_line("f", 1, _text(videoMetadata={"startOffset": "10s", "endOffset": "400s"}), GEMINI_25)
    found = {p.code: p for p in V.check_against_video(facts, _info(container="matroska", size_bytes=200_000_000),
                                                      GEMINI_25, "MEDIUM")}
    assert set(found) == {"mime_mismatch", "container", "file_too_large"}  # 390 s at LOW is within 20 min
    assert found["mime_mismatch"].severity == V.ERROR and found["container"].severity == V.WARNING
    medium, _ = V.check_line("f", 2, _text().replace("_LOW", "_MEDIUM"), GEMINI_25)
    found = {p.code for p in V.check_against_video(medium, _info(), GEMINI_25, "LOW")}
    assert found == {"too_long", "over_token_budget"}  # 600 s at MEDIUM: over 5 min and ~176k tokens
    quicktime = V.check_against_video(facts, _info(container="quicktime"), GEMINI_25, "LOW")
    assert [(p.code, p.severity) for p in quicktime] == [("mime_mismatch", V.WARNING)]


def test_dataset_checks_and_report():
    facts = V.DatasetFacts()
    for number, resolution in enumerate(["LOW", "LOW", "MEDIUM"], start=1):
        line, _ = V.check_line("/d/validation.jsonl", number, _text().replace("_LOW", f"_{resolution}"), GEMINI_25)
        facts.add(line)
    limited = GEMINI_25.__class__(**{**GEMINI_25.__dict__, "max_validation_examples": 2})
    problems = V.check_dataset(facts, limited)
    assert [p.code for p in problems] == ["validation_too_large", "mixed_media_resolution"]
    assert V.check_dataset(facts, GEMINI_3) == []
    problems.append(V.Problem(V.WARNING, "blank_line", "/d/validation.jsonl:10", "a blank line"))
    problems.append(V.Problem(V.ERROR, "fps", "/d/validation.jsonl:9", "bad fps"))
    problems.append(V.Problem(V.ERROR, "fps", "/d/validation.jsonl:10", "bad fps"))
    report = R.report_text(problems, 3, 1, "gemini-2.5")
    assert report.splitlines()[0].endswith("4 errors, 1 warnings")
    assert report.index("  fps (2):") < report.index("validation.jsonl:9: bad fps") < report.index(
        "validation.jsonl:10: bad fps") < report.index("WARNINGS")
    assert report.endswith("Result: FAIL")


def test_a_report_shows_the_first_problems_of_a_kind_and_counts_all():
    many = [V.Problem(V.ERROR, "fps", f"/d/t.jsonl:{n}", "bad fps") for n in range(120, 0, -1)]
    halves = [R.sample_problems([many[:60]]), R.sample_problems([many[60:]])]
    sample = R.sample_problems(halves)  # merged as a combiner merges partial samples
    assert [p.location for p in sample] == [f"/d/t.jsonl:{n}" for n in range(1, 51)]
    report = R.report_text(sample, 120, 1, "gemini-2.5", {(V.ERROR, "fps"): 120})
    assert "120 errors" in report and "  fps (120):" in report and "... and 70 more" in report
    assert report.count("bad fps") == 50


def _multi(contents, system=None) -> str:
    line = {"contents": contents, "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"}}
    if system is not None:
        line["systemInstruction"] = system
    return json.dumps(line)


VIDEO = {"fileData": {"fileUri": "gs://bucket/clips/a.mp4", "mimeType": "video/mp4"}}


def _turn(role, text):
    return {"role": role, "parts": [{"text": text}]}


def test_multi_turn_roles_are_checked_as_googles_validator_did():
    codes = lambda text: [p.code for p in V.check_line("f", 1, text, GEMINI_25)[1]]  # noqa: E731
    first = {"role": "user", "parts": [VIDEO, {"text": "q"}]}
    assert codes(_multi([first, _turn("model", "a"), _turn("user", "q2"), _turn("model", "a2")])) == []
    assert codes(_multi([first, _turn("model", "a"), _turn("model", "a2")])) == ["roles"]
    assert codes(_multi([first, _turn("model", "a"), _turn("user", "q2")])) == ["roles"]
    assert codes(_multi([first, {"role": "model", "parts": [{"text": ""}]}])) == ["schema"]  # every turn has text


def test_system_instruction_is_checked_and_counted():
    first = {"role": "user", "parts": [VIDEO, {"text": "q"}]}
    facts, problems = V.check_line("f", 1, _multi([first, _turn("model", "a")], {"parts": [{"text": "x" * 400}]}),
                                   GEMINI_25)
    assert problems == [] and facts.text_chars == 402
    _, problems = V.check_line("f", 1, _multi([first, _turn("model", "a")], {"text": "loose"}), GEMINI_25)
    assert [p.code for p in problems] == ["system_instruction"]
