"""The picture and the sound of real-world sources, end to end at LOW and MEDIUM (issue 11).

One run per resolution over every case of tests/footage_picture.py (screen recordings, 10-bit
and 4:4:4 H.264, HEVC Main 10, ProRes, DNxHR, MJPEG, FFV1, interlaced broadcast and DVD MPEG-2,
an interlaced camcorder, non-square pixels, rotations, PQ and HLG, PCM/AC-3/E-AC-3/FLAC/MP2/
Opus/5.1 sound, several audio tracks, subtitles, attachments, sound longer than the picture, and
real camera footage). None may be dropped; each gets the treatment its picture and sound call
for, counted by cause in stats.json; every clip passes tests/output_checks.py; and every
remapped event shows its colour 0.6 s inside both ends and not 0.7 s outside them.
"""
from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from pipeline.run import run
from tests import footage_picture as F
from tests.camera_footage import camera_clip
from tests.conftest import CORPUS_ROOT
from tests.dataset_files import read_dataset
from tests.media_checks import FrameReader, colour_name
from tests.output_checks import assert_output_ok, audio_rms, picture
from transforms.core.timecode import parse_time

pytestmark = pytest.mark.e2e

CASES = {case.row_id: case for case in F.CASES}
INSIDE, OUTSIDE = 0.6, 0.7  # MM:SS rounds to the second: 0.5 s either way, and a frame


@pytest.fixture(scope="module")
def manifest() -> str:
    return F.build(os.path.join(CORPUS_ROOT, "picture"), camera_clip(os.path.join(CORPUS_ROOT, "camera")))


@pytest.fixture(scope="module", params=["LOW", "MEDIUM"])
def dataset(request, manifest, tmp_path_factory):
    out = str(tmp_path_factory.mktemp(f"picture-{request.param}"))
    code = run(["--manifest", manifest, "--output", out, "--media_resolution", request.param,
                "--validation_fraction", "0"])
    lines, index, drops, stats = read_dataset(out)
    return {"code": code, "lines": [line for _, line, _ in lines], "index": index, "drops": drops,
            "stats": stats, "folder": os.path.dirname(manifest)}


def _source(dataset, row_id: str) -> str:
    return os.path.join(dataset["folder"], CASES[row_id].name)


def _clip(dataset, row_id: str) -> dict:
    rows = [r for r in dataset["index"] if r["row_id"] == row_id]
    assert len(rows) == 1, (row_id, rows)
    return rows[0]


def test_no_case_is_dropped_and_the_gate_passes(dataset):
    assert dataset["drops"] == []
    assert dataset["code"] == 0, dataset["stats"]["gate"]
    assert {r["row_id"] for r in dataset["index"]} == set(CASES)


def test_each_source_gets_the_treatment_its_picture_and_sound_need(dataset):
    actions = {row_id: _clip(dataset, row_id)["action"] for row_id in CASES}
    assert actions == {row_id: case.action for row_id, case in CASES.items()}


def test_stats_count_the_transcodes_by_cause(dataset):
    expected = Counter(cause for case in F.CASES for cause in case.causes)
    assert dataset["stats"]["transcodes_by_cause"] == dict(sorted(expected.items()))
    assert dataset["stats"]["transcodes_by_cause"]["interlace"] == 3


def test_every_clip_passes_the_output_checks(dataset):
    for row_id in sorted(CASES):
        clip = _clip(dataset, row_id)
        assert_output_ok(_source(dataset, row_id), clip["file_uri"], clip["action"], label=row_id)


def test_every_event_shows_its_colour_inside_and_not_outside(dataset):
    checked = Counter()
    for line in dataset["lines"]:
        uri = line["contents"][0]["parts"][0]["fileData"]["fileUri"]
        row_id = next(r["row_id"] for r in dataset["index"] if r["file_uri"] == uri)
        text = line["contents"][1]["parts"][0]["text"]
        items = json.loads(text[len("```json\n"):-len("\n```")])
        reader = FrameReader(uri)
        length = _clip(dataset, row_id)["duration"]
        for item in items:
            start, end, label = parse_time(item["start"]), parse_time(item["end"]), item["label"]
            where = (row_id, item)
            assert colour_name(reader.colour_at(start + INSIDE)) == label, where
            assert colour_name(reader.colour_at(end - INSIDE)) == label, where
            if start - OUTSIDE >= 0:
                assert colour_name(reader.colour_at(start - OUTSIDE)) != label, where
            if end + OUTSIDE < length:
                assert colour_name(reader.colour_at(end + OUTSIDE)) != label, where
            checked[row_id] += 1
    assert checked == {row_id: len(case.events) for row_id, case in CASES.items()}


def test_hdr_is_mapped_to_sdr_not_washed_out(dataset):
    for row_id in ("phone_hdr_pq", "phone_hdr_hlg"):
        reader = FrameReader(_clip(dataset, row_id)["file_uri"])
        # The grey background is grey again (read as PQ or HLG, it is a dim or bright grey) ...
        assert colour_name(reader.colour_at(1.0), tolerance=30) == "background", row_id
        # ... and the red is red, not the brownish pink a BT.709 decoder shows of BT.2020 PQ.
        assert colour_name(reader.colour_at(3.0), tolerance=60) == "red", row_id


def test_the_default_audio_track_is_kept(dataset):
    # The first track of each is silent and not the default; the default one is a tone.
    for row_id in ("phone_270", "sar_240_169"):
        clip = _clip(dataset, row_id)["file_uri"]
        assert picture(clip).stream_kinds.count("audio") == 1
        assert audio_rms(clip) > 0.02, row_id


def test_surround_sound_comes_out_as_stereo_aac(dataset):
    for row_id in ("surround_51", "broadcast_pal", "archive_ffv1"):
        found = picture(_clip(dataset, row_id)["file_uri"])
        assert found.audio_channels == 2, row_id


def test_mono_sound_stays_mono(dataset):
    # An old camera's mono PCM, encoded to AAC: one channel, not the same sound twice.
    found = picture(_clip(dataset, "old_camera_mjpeg")["file_uri"])
    assert found.audio_channels == 1
    assert audio_rms(_clip(dataset, "old_camera_mjpeg")["file_uri"]) > 0.02


def test_video_only_and_longer_sound_keep_their_timelines(dataset):
    for row_id in ("screen_444", "editor_dnxhr"):
        clip = _clip(dataset, row_id)
        assert "audio" not in picture(clip["file_uri"]).stream_kinds
        assert clip["duration"] == pytest.approx(CASES[row_id].seconds, abs=0.05)
    longer = _clip(dataset, "audio_longer")
    assert longer["source_start"] == 0.0
    assert longer["duration"] == pytest.approx(CASES["audio_longer"].seconds, abs=0.05)  # the picture's length
    assert "audio" in picture(longer["file_uri"]).stream_kinds
