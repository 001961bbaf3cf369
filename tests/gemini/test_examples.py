import json

import pytest

from transforms.gemini.examples import (annotation_answer, assign_split, estimate_tokens, example_line,
                                 line_sha1, public_uri)
from transforms.core.types import Annotation


# ---------------------------------------------------------------- annotation_answer

def test_annotation_answer_format():
    anns = [Annotation(start=5.0, end=70.0, fields={"label": "goal", "team": "A"}),
            Annotation(start=125.4, fields={"text": "café"})]
    assert annotation_answer(anns) == (
        '```json\n'
        '[{"start": "00:05", "end": "01:10", "label": "goal", "team": "A"}, '
        '{"start": "02:05", "text": "café"}]\n'
        '```')


@pytest.mark.parametrize("decimals, expected", [
    (0, '```json\n[{"start": "00:05", "end": "01:01"}]\n```'),
    (1, '```json\n[{"start": "00:05.3", "end": "01:01.3"}]\n```'),
    (2, '```json\n[{"start": "00:05.26", "end": "01:01.26"}]\n```'),
])
def test_annotation_answer_decimals(decimals, expected):
    anns = [Annotation(start=5.26, end=61.26, fields={})]
    assert annotation_answer(anns, decimals=decimals) == expected


def test_annotation_answer_empty():
    assert annotation_answer([]) == "```json\n[]\n```"


def test_annotation_answer_is_parseable_json_inside_the_fence():
    text = annotation_answer([Annotation(start=3.0, end=4.0, fields={"n": 1, "tags": ["a", "b"]})])
    assert text.startswith("```json\n") and text.endswith("\n```")
    assert json.loads(text[len("```json\n"):-len("\n```")]) == [
        {"start": "00:03", "end": "00:04", "n": 1, "tags": ["a", "b"]}]


# ---------------------------------------------------------------- example_line

@pytest.mark.parametrize("resolution, enum", [
    ("LOW", "MEDIA_RESOLUTION_LOW"), ("MEDIUM", "MEDIA_RESOLUTION_MEDIUM"), ("high", "MEDIA_RESOLUTION_HIGH"),
])
def test_example_line_structure(resolution, enum):
    answer = "```json\n[]\n```"
    line = example_line("gs://b/media/a.mp4", "video/mp4", "Où sont les buts ?", answer, resolution)
    assert "\n" not in line
    assert "Où" in line                     # not \u-escaped
    assert json.loads(line) == {
        "contents": [
            {"role": "user", "parts": [
                {"fileData": {"fileUri": "gs://b/media/a.mp4", "mimeType": "video/mp4"}},
                {"text": "Où sont les buts ?"},
            ]},
            {"role": "model", "parts": [{"text": answer}]},
        ],
        "generationConfig": {"mediaResolution": enum},
    }


def test_example_line_puts_the_video_before_the_text_and_is_compact():
    line = example_line("f", "video/mp4", "p", "a", "LOW")
    assert line.index('"fileData"') < line.index('"text":"p"')
    assert ", " not in line and ": " not in line


def test_line_sha1():
    assert line_sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d"


# ---------------------------------------------------------------- estimate_tokens

@pytest.mark.parametrize("seconds, audio, resolution, text, fps, expected", [
    # 1200 frames x (64 + 6) + 1200 s x 32 + 40 chars / 4
    (1200, True, "LOW", "abcd" * 10, 1.0, 1200 * 64 + 1200 * 6 + 1200 * 32 + 10),
    (1200, False, "LOW", "", 1.0, 84_000),
    (300, False, "MEDIUM", "", 1.0, 300 * 262),
    (300, True, "HIGH", "x" * 400, 1.0, 78_600 + 9_600 + 100),
    (10, False, "LOW", "", 2.0, 20 * 70),
    (0, True, "LOW", "abcdef", 1.0, 2),            # 6/4 = 1.5 rounds to 2
])
def test_estimate_tokens(seconds, audio, resolution, text, fps, expected):
    assert estimate_tokens(seconds, audio, resolution, text, fps) == expected


# ---------------------------------------------------------------- assign_split

URIS = [f"gs://bucket/videos/v{i:04d}.mp4" for i in range(2000)]


def test_assign_split_is_deterministic():
    assert [assign_split(u, None, 0.3) for u in URIS] == [assign_split(u, None, 0.3) for u in URIS]


def test_assign_split_share_follows_the_fraction():
    share = sum(assign_split(u, None, 0.3) == "validation" for u in URIS) / len(URIS)
    assert 0.25 < share < 0.35


def test_assign_split_is_monotone_in_the_fraction():
    for u in URIS[:300]:
        if assign_split(u, None, 0.2) == "validation":
            assert assign_split(u, None, 0.5) == "validation"


@pytest.mark.parametrize("explicit, fraction, expected", [
    ("validation", 0.0, "validation"),
    ("train", 1.0, "train"),
])
def test_explicit_split_wins(explicit, fraction, expected):
    assert all(assign_split(u, explicit, fraction) == expected for u in URIS[:100])


def test_fraction_zero_is_all_train():
    assert {assign_split(u, None, 0.0) for u in URIS} == {"train"}
    assert {assign_split(u, "", 0.0) for u in URIS[:50]} == {"train"}


def test_fraction_one_is_all_validation():
    assert {assign_split(u, None, 1.0) for u in URIS} == {"validation"}


# ---------------------------------------------------------------- public_uri

@pytest.mark.parametrize("file_uri, media_dir, prefix, expected", [
    ("/out/media/a-1.mp4", "/out/media", None, "/out/media/a-1.mp4"),
    ("/out/media/a-1.mp4", "/out/media", "", "/out/media/a-1.mp4"),
    ("/out/media/a-1.mp4", "/out/media", "gs://b/ds/media", "gs://b/ds/media/a-1.mp4"),
    ("/out/media/a-1.mp4", "/out/media", "gs://b/ds/media/", "gs://b/ds/media/a-1.mp4"),
    ("/out/media/a-1.mp4", "/out/media/", "gs://b/m", "gs://b/m/a-1.mp4"),
    ("/out/media/sub/a-1.mp4", "/out/media", "gs://b/m", "gs://b/m/sub/a-1.mp4"),
])
def test_public_uri(file_uri, media_dir, prefix, expected):
    assert public_uri(file_uri, media_dir, prefix) == expected


# ---------------------------------------------------------------- system instruction and turns

def test_system_instruction_and_later_turns_are_written_in_order_and_pass_googles_types():
    from google.genai import types
    line = json.loads(example_line("gs://b/c.mp4", "video/mp4", "What is shown?", "Grey.", "LOW",
                                   system_instruction="Answer in one word.",
                                   turns=(("user", "And then?"), ("model", "Red."))))
    assert line["systemInstruction"] == {"parts": [{"text": "Answer in one word."}]}
    assert [c["role"] for c in line["contents"]] == ["user", "model", "user", "model"]
    assert [c["parts"][-1]["text"] for c in line["contents"]] == ["What is shown?", "Grey.", "And then?", "Red."]
    assert "fileData" in line["contents"][0]["parts"][0]  # the video stays first
    assert types.Content.model_validate(line["systemInstruction"]).parts[0].text == "Answer in one word."
    for content in line["contents"]:
        types.Content.model_validate(content)
    assert "systemInstruction" not in json.loads(example_line("gs://b/c.mp4", "video/mp4", "p", "a", "LOW"))
