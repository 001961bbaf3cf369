"""Rows of several videos: parsing `video_uris`, the part rows, planning each part, the join, the tokens."""
from __future__ import annotations

import json

import pytest

from transforms.core import video_parts as P
from transforms.core.budget import BudgetSettings, example_tokens, plan_with_budget
from transforms.core.manifest import iter_records, parse_row
from transforms.core.types import (Action, BuiltPart, ClipSpec, CutClip, Drop, DropReason, ManifestRow, Stage,
                                   TranscodeSettings, VideoInfo)
from transforms.gemini.profiles import GEMINI_3, GEMINI_25, estimate
from transforms.stages.build_examples import ExampleSettings
from transforms.stages.build_examples import multi_video_example

DIR = "/data/m"
LOC = "/data/m/m.jsonl:3"


def _parse(**raw):
    raw = {"id": "pair", "prompt": "Which is red?", "response": "The second.", **raw}
    return parse_row(raw, LOC, DIR)


def _row(**raw) -> ManifestRow:
    row = _parse(**raw)
    assert isinstance(row, ManifestRow), row
    return row


def _drop(**raw) -> Drop:
    drop = _parse(**raw)
    assert isinstance(drop, Drop), drop
    return drop


# ---------------------------------------------------------------- parsing

def test_video_uris_as_strings_and_objects():
    row = _row(video_uris=["a.mp4", {"uri": "gs://b/v/b.mp4", "media_resolution": "high"}], media_resolution="LOW")
    assert row.videos == (("/data/m/a.mp4", None), ("gs://b/v/b.mp4", "HIGH"))
    assert row.video_uri == "/data/m/a.mp4" and row.media_resolution == "LOW"
    assert (row.response, row.annotations) == ("The second.", None)


def test_a_list_of_one_is_an_ordinary_row():
    row = _row(video_uris=[{"uri": "a.mp4", "media_resolution": "MEDIUM"}])
    assert (row.video_uri, row.media_resolution, row.videos) == ("/data/m/a.mp4", "MEDIUM", ())


def test_video_uris_in_a_csv_cell_is_json():
    data = b'id,video_uris,prompt,response\npair,"[""a.mp4"", ""b.mp4""]",Which?,The first.\n'
    [(location, raw)] = list(iter_records("/data/m/m.csv", data))
    row = parse_row(raw, location, DIR)
    assert isinstance(row, ManifestRow), row
    assert [uri for uri, _ in row.videos] == ["/data/m/a.mp4", "/data/m/b.mp4"]


@pytest.mark.parametrize("raw, words", [
    ({"video_uris": []}, "non-empty list"),
    ({"video_uris": "not json"}, "not a JSON list"),
    ({"video_uris": ["a.mp4", 3]}, "item 1"),
    ({"video_uris": ["a.mp4", {"url": "b.mp4"}]}, "item 1"),
    ({"video_uris": ["a.mp4", {"uri": "b.mp4", "fps": 2}]}, "unknown keys"),
    ({"video_uris": ["a.mp4", {"uri": "b.mp4", "media_resolution": "ULTRA"}]}, "LOW, MEDIUM or HIGH"),
    ({"video_uris": ["a.mp4", "b.mp4"], "video_uri": "c.mp4"}, "both `video_uri` and `video_uris`"),
    ({"video_uris": ["a.mp4", "b.mp4"], "start": 2}, "`start`/`end`"),
    ({"video_uris": ["a.mp4", "b.mp4"], "annotations": []}, "which video"),
])
def test_bad_video_uris_are_malformed_rows(raw, words):
    drop = parse_row({"id": "pair", "prompt": "Which?", "response": "x", **raw}, LOC, DIR)
    assert isinstance(drop, Drop), drop
    assert drop.reason is DropReason.MALFORMED_ROW and words in drop.detail, drop.detail
    assert (drop.row_id, drop.location, drop.stage) == ("pair", LOC, Stage.READ)


def test_turns_serve_a_row_of_several_videos():
    row = _row(video_uris=["a.mp4", "b.mp4"], prompt=None, response=None,
               turns=["Which?", "The first.", "Why?", "It is red."])
    assert row.response == "The first." and row.turns == (("user", "Why?"), ("model", "It is red."))
    assert len(row.videos) == 2


# ---------------------------------------------------------------- part rows and the profile

def test_part_rows_are_whole_video_tasks_on_each_video():
    row = _row(video_uris=["a.mp4", {"uri": "b.mp4", "media_resolution": "HIGH"}], media_resolution="LOW")
    first, second = P.part_rows(row)
    assert [(p.video_uri, p.media_resolution, p.part_index, p.part_count) for p in (first, second)] == [
        ("/data/m/a.mp4", "LOW", 0, 2), ("/data/m/b.mp4", "HIGH", 1, 2)]
    assert all(p.row_id == "pair" and p.location == LOC and p.videos == () for p in (first, second))
    assert first.segment_key != second.segment_key


def test_the_profile_limits_videos_per_example():
    row = _row(video_uris=["a.mp4", "b.mp4"])
    assert GEMINI_25.videos_per_example == 1 and GEMINI_3.videos_per_example == 10
    drop = P.too_many_videos(row, GEMINI_25.videos_per_example, GEMINI_25.name)
    assert drop.reason is DropReason.TOO_MANY_VIDEOS and "at most 1" in drop.detail
    assert "--profile gemini-3" in drop.detail and drop.location == LOC
    assert P.too_many_videos(row, GEMINI_3.videos_per_example, GEMINI_3.name) is None


# ---------------------------------------------------------------- planning each part

def _video(uri: str, seconds: float) -> VideoInfo:
    return VideoInfo(uri=uri, size_bytes=int(seconds * 50_000), container="mp4", duration=seconds,
                     video_codec="h264", width=320, height=240, fps=25.0, rotation=0, has_audio=False,
                     audio_codec="", input_offset=0.0, keyframes=tuple(float(t) for t in range(0, int(seconds), 2)),
                     identity="x")


def test_a_part_that_needs_several_clips_is_dropped_with_its_own_reason():
    row = _row(video_uris=["a.mp4", "b.mp4"])
    first, second = P.part_rows(row)
    settings = BudgetSettings(profile=GEMINI_3, media_resolution="MEDIUM")
    fits = plan_with_budget(_video(first.video_uri, 20.0), [first], settings)
    assert [(p.row.part_index, p.clip_count) for p in fits.rows] == [(0, 1)] and not fits.drops
    long = plan_with_budget(_video(second.video_uri, 400.0), [second], settings)  # MEDIUM holds 5 min
    [drop] = long.drops
    assert drop.reason is DropReason.VIDEO_NEEDS_SEVERAL_CLIPS and not long.rows and not long.clips
    assert "cannot be chunked across videos" in drop.detail and "400.0s" in drop.detail
    # The same video whole in a one-video `response` row keeps its old reason.
    single = _row(video_uri="b.mp4")
    assert plan_with_budget(_video(single.video_uri, 400.0), [single], settings).drops[0].reason is \
        DropReason.TOO_LONG_FOR_RESPONSE


# ---------------------------------------------------------------- the join

def _clip(uri: str, seconds: float, audio: bool = True) -> CutClip:
    info = _video(uri, seconds)
    spec = ClipSpec(source=info, segment_key=f"{uri}||", clip_index=0, clip_count=1, start=0.0, end=seconds,
                    action=Action.COPY, transcode=TranscodeSettings(1, 1, 240, 30.0), media_name="m.mp4")
    return CutClip(spec=spec, file_uri=f"/out/media/{uri.rsplit('/', 1)[-1]}", mime_type="video/mp4",
                   source_start=0.0, source_end=seconds, duration=seconds, bytes=1000, action=Action.COPY,
                   has_audio=audio)


def _part(i: int, uri: str, seconds: float, resolution: str) -> BuiltPart:
    clip = _clip(uri, seconds)
    return BuiltPart(part_index=i, clip=clip, file_uri=clip.file_uri, resolution=resolution,
                     index={"row_id": "pair", "source_uri": uri, "video_index": i, "video_count": 2,
                            "file_uri": clip.file_uri, "split": "", "est_tokens": 0, "line_sha1": ""})


SETTINGS = ExampleSettings(media_resolution="LOW", validation_fraction=0.0, media_dir="/out/media",
                           profile=GEMINI_3, max_example_tokens=131_072)


def test_join_writes_every_video_part_in_order_with_its_own_resolution():
    row = _row(video_uris=["a.mp4", {"uri": "b.mp4", "media_resolution": "HIGH"}], system_instruction="Be brief.")
    parts = P.assemble(row, [_part(1, "/data/m/b.mp4", 8.0, "HIGH"), _part(0, "/data/m/a.mp4", 5.0, "LOW")], [])
    example = multi_video_example(row, parts, SETTINGS)
    line = json.loads(example.line)
    user = line["contents"][0]["parts"]
    assert [p.get("fileData", {}).get("fileUri") for p in user] == ["/out/media/a.mp4", "/out/media/b.mp4", None]
    assert [p.get("mediaResolution") for p in user[:2]] == [{"level": "MEDIA_RESOLUTION_LOW"},
                                                            {"level": "MEDIA_RESOLUTION_HIGH"}]
    assert user[2] == {"text": "Which is red?"} and line["contents"][1]["parts"] == [{"text": "The second."}]
    assert line["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    # The index has a row per video; the tokens count both parts, at their own rates, and the text once.
    rows = example.index_rows
    assert [(r["video_index"], r["source_uri"]) for r in rows] == [(0, "/data/m/a.mp4"), (1, "/data/m/b.mp4")]
    text = "Which is red?" + "The second." + "Be brief."
    expected = (estimate(GEMINI_3, 5.0, True, "LOW").total + estimate(GEMINI_3, 8.0, True, "HIGH").total
                + estimate(GEMINI_3, 0.0, False, "LOW", text).text)
    assert {r["est_tokens"] for r in rows} == {expected}
    assert len({r["line_sha1"] for r in rows}) == 1 and rows[0]["split"] == "train"


def test_join_under_gemini_25_writes_no_part_level():
    row = _row(video_uris=["a.mp4", "b.mp4"])
    parts = P.assemble(row, [_part(0, "/data/m/a.mp4", 5.0, "LOW"), _part(1, "/data/m/b.mp4", 5.0, "LOW")], [])
    line = json.loads(multi_video_example(row, parts, ExampleSettings("LOW", 0.0, "/out/media")).line)
    assert not any("mediaResolution" in p for p in line["contents"][0]["parts"])


def test_one_drop_accounts_for_a_row_whatever_its_parts_lost():
    row = _row(video_uris=["a.mp4", "b.mp4"])
    lost = [Drop("pair", "/data/m/b.mp4", Stage.PLAN, DropReason.VIDEO_NEEDS_SEVERAL_CLIPS, "too long", location=LOC),
            Drop("pair", "/data/m/a.mp4", Stage.PROBE, DropReason.SOURCE_NOT_FOUND, "no such file", location=LOC)]
    drop = P.assemble(row, [_part(1, "/data/m/b.mp4", 5.0, "LOW")], lost)
    assert isinstance(drop, Drop)
    assert (drop.reason, drop.stage, drop.location) == (DropReason.SOURCE_NOT_FOUND, Stage.PROBE, LOC)
    assert drop.detail == "video 1 of 2 (/data/m/a.mp4): no such file"
    missing = P.assemble(row, [_part(0, "/data/m/a.mp4", 5.0, "LOW")], [])
    assert missing.reason is DropReason.CLIP_LOST and "video 2 of 2" in missing.detail


def test_the_budget_counts_every_part():
    one = example_tokens(GEMINI_3, [(60.0, True, "HIGH")], "x" * 40)
    two = example_tokens(GEMINI_3, [(60.0, True, "HIGH"), (60.0, True, "HIGH")], "x" * 40)
    assert two - one == estimate(GEMINI_3, 60.0, True, "HIGH").total
    assert one == estimate(GEMINI_3, 60.0, True, "HIGH", "x" * 40).total
    row = _row(video_uris=["a.mp4", "b.mp4"])
    parts = P.assemble(row, [_part(0, "/data/m/a.mp4", 300.0, "HIGH"), _part(1, "/data/m/b.mp4", 300.0, "HIGH")],
                       [])
    # Each 5-minute HIGH video alone fits the cap; together they do not.
    assert estimate(GEMINI_3, 300.0, True, "HIGH", "x" * 100).total < 150_000
    small = ExampleSettings("LOW", 0.0, "/out/media", profile=GEMINI_3, max_example_tokens=150_000)
    drop = multi_video_example(row, parts, small)
    assert isinstance(drop, Drop) and drop.reason is DropReason.OVER_TOKEN_BUDGET and "2 videos" in drop.detail
