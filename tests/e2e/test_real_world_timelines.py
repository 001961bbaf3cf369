"""Real-world timelines end to end, at LOW and MEDIUM: edit lists (a trimmed start, empty edits,
AAC priming), variable frame rate, MPEG-TS clocks, high frame rates and long open GOPs.

None may be dropped; every clip written must start its first frame at 0 for any decoder, and
every remapped event must land on its colour (tests/strict_events.py, decoding the clips).
"""
from __future__ import annotations

import hashlib
import os

import pytest

from pipeline.run import run
from tests import footage_timeline as F
from tests.conservation import assert_conserved
from tests.dataset_files import read_dataset
from tests.strict_events import assert_strict

pytestmark = pytest.mark.e2e

CASES = F.ALL_CASES
# What each row's clips are made by: the cheapest way that keeps one timeline.
ACTIONS = {
    "delayed_start": ["remux"], "delayed_whole": ["remux"],
    "aac_priming": ["copy"],  # the priming edit alone leaves the timeline plain
    "phone_vfr": ["copy"], "phone_vfr@23.3-52": ["cut"],
    "phone_vfr_portrait": ["transcode"], "phone_vfr_portrait@23.3-52": ["transcode"],
    "ts_late_start": ["remux"], "ts_late_start@20-50": ["cut"],
    "ts_wrap": ["remux"], "ts_wrap@20-50": ["cut"],
    "ts_discontinuity": ["remux"], "ts_discontinuity@35-58": ["cut"],
    "hfr_120": ["copy"], "hfr_120@10.5-23": ["cut"],
    "hfr_240": ["remux"], "hfr_240@6.5-11": ["cut"],
    # Only the first keyframe of the open GOPs starts a clean copy: the segment is copied from it.
    "long_open_gop": ["copy"], "long_open_gop@28-60": ["cut"],
}


@pytest.fixture(scope="module")
def footage() -> dict[str, F.Footage]:
    folder = F.cache_folder()
    made = [make(folder) for make in CASES]
    return {item.id: item for item in made}


@pytest.fixture(scope="module", params=["LOW", "MEDIUM"])
def dataset(request, footage, tmp_path_factory):
    folder = os.path.dirname(next(iter(footage.values())).path)
    manifest = F.write_manifest(folder, list(footage.values()), f"manifest-{request.param}.jsonl")
    out = str(tmp_path_factory.mktemp(f"timelines-{request.param}"))
    code = run(["--manifest", manifest, "--output", out, "--media_resolution", request.param,
                "--validation_fraction", "0"])
    lines, index, drops, stats = read_dataset(out)
    return {"resolution": request.param, "code": code, "manifest": manifest, "out": out,
            "lines": [line for _, line, _ in lines], "index": index, "drops": drops, "stats": stats}


def test_no_timeline_is_dropped(dataset):
    assert dataset["drops"] == []
    assert dataset["code"] == 0, dataset["stats"]["gate"]
    assert_conserved([dataset["manifest"]], dataset["out"])


def test_every_clip_starts_at_zero_and_every_event_lands_on_its_colour(dataset, footage):
    checked = assert_strict(dataset["lines"])
    assert checked >= sum(len(f.events) for f in footage.values())


def test_every_event_reaches_the_dataset(dataset, footage):
    from tests.strict_events import answer_items
    by_row: dict[str, list[str]] = {}
    for line, row in zip(dataset["lines"], _rows_of(dataset)):
        by_row.setdefault(row["row_id"], []).extend(item["label"] for item in answer_items(line))
    for item in footage.values():
        for row in item.rows():
            assert set(by_row[row["id"]]) == {a["label"] for a in row["annotations"]}, row["id"]


def test_each_timeline_gets_the_cheapest_treatment_that_keeps_it(dataset):
    actions: dict[str, list[str]] = {}
    for row in sorted(dataset["index"], key=lambda r: (r["row_id"], r["clip_index"])):
        actions.setdefault(row["row_id"], []).append(row["action"])
    # The trimmed start's first frame is not a keyframe: its first clip is encoded, the rest copied.
    expected_trimmed = ["transcode"] if dataset["resolution"] == "LOW" else ["transcode", "cut"]
    assert actions.pop("trimmed_start") == expected_trimmed
    assert actions == ACTIONS


def test_a_decoding_cut_starts_on_the_first_real_frame(dataset):
    # The portrait phone segment asks for 23.3 s, inside a stall: its first frame is at 24.0 s.
    (clip,) = [r for r in dataset["index"] if r["row_id"] == "phone_vfr_portrait@23.3-52"]
    assert clip["source_start"] == pytest.approx(24.0, abs=1e-3)


def test_clips_of_one_source_are_contiguous(dataset):
    clips = sorted((r for r in dataset["index"] if r["row_id"] == "trimmed_start"), key=lambda r: r["clip_index"])
    assert clips[0]["source_start"] == 0.0
    for a, b in zip(clips, clips[1:]):
        assert b["source_start"] == pytest.approx(a["source_end"], abs=0.002)


def _rows_of(dataset):
    by_sha = {r["line_sha1"]: r for r in dataset["index"]}
    import json
    for line in dataset["lines"]:
        raw = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        yield by_sha[hashlib.sha1(raw.encode("utf-8")).hexdigest()]
