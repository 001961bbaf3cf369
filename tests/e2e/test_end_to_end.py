"""The whole pipeline on DirectRunner, on generated colour-event videos, checked against pixels."""
from __future__ import annotations

import glob
import json
import os

import pyarrow.parquet as pq
import pytest

from pipeline.run import run
from pipeline.synthetic_media import BIG, LONG, MATROSKA
from tests.conservation import assert_conserved
from tests.dataset_files import read_dataset
from tests.media_checks import FrameReader, colour_name, media_duration
from transforms.core.timecode import parse_time

pytestmark = pytest.mark.e2e

LIMIT_SECONDS = {"LOW": 1200, "MEDIUM": 300}


def _manifest_rows(path: str) -> dict[str, dict]:
    rows = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rows[row["id"]] = row
    return rows


def _read_outputs(out: str):
    lines, index, drops, stats = read_dataset(out)
    return [line for _, line, _ in lines], index, drops, stats


@pytest.fixture(scope="module", params=["LOW", "MEDIUM"])
def dataset(request, corpus_manifest, tmp_path_factory):
    resolution = request.param
    out = str(tmp_path_factory.mktemp(f"out-{resolution}"))
    code = run(["--manifest", corpus_manifest, "--output", out, "--media_resolution", resolution])
    lines, index, drops, stats = _read_outputs(out)
    return {"resolution": resolution, "out": out, "code": code, "lines": lines, "index": index,
            "drops": drops, "stats": stats, "manifest": _manifest_rows(corpus_manifest)}


def test_run_passes_the_gate(dataset):
    assert dataset["code"] == 0, dataset["stats"]["gate"]
    assert dataset["stats"]["gate"]["verdict"] == "pass"


def test_every_row_is_in_the_index_or_the_drops_never_both(dataset, corpus_manifest):
    indexed = {r["row_id"] for r in dataset["index"]}
    dropped = {d["row_id"] for d in dataset["drops"] if d["kind"] == "row"}
    assert indexed.isdisjoint(dropped)
    assert indexed | dropped == set(dataset["manifest"])
    assert_conserved([corpus_manifest], dataset["out"])


def test_broken_file_is_dropped_with_a_reason(dataset):
    broken = [d for d in dataset["drops"] if d["row_id"] == "broken"]
    assert [(d["stage"], d["reason"]) for d in broken] == [("probe", "unreadable_media")]


def test_index_matches_the_lines(dataset):
    import hashlib
    out = dataset["out"]
    raw_lines = []
    for split in ("train", "validation"):
        path = os.path.join(out, f"{split}.jsonl")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                raw_lines += [(split, line.rstrip("\n")) for line in handle]
    by_sha = {r["line_sha1"]: r for r in dataset["index"]}
    assert len(by_sha) == len(raw_lines) == len(dataset["index"])
    for split, line in raw_lines:
        row = by_sha[hashlib.sha1(line.encode("utf-8")).hexdigest()]
        assert row["split"] == split
        assert json.loads(line)["contents"][0]["parts"][0]["fileData"]["fileUri"] == row["file_uri"]


def test_every_referenced_file_is_within_the_limits(dataset):
    limit = LIMIT_SECONDS[dataset["resolution"]]
    for line in dataset["lines"]:
        assert line["generationConfig"]["mediaResolution"] == f"MEDIA_RESOLUTION_{dataset['resolution']}"
        user, model = line["contents"]
        assert (user["role"], model["role"]) == ("user", "model")
        video, prompt = user["parts"]
        assert "text" in prompt and "fileData" in video  # the video part comes first
        path = video["fileData"]["fileUri"]
        assert os.path.getsize(path) <= 100_000_000
        assert media_duration(path) <= limit
        assert video["fileData"]["mimeType"] == "video/mp4"  # every output here is MP4 (copied or made)


def test_each_source_got_the_cheapest_treatment(dataset):
    actions = {}
    for row in dataset["index"]:
        actions.setdefault(row["row_id"], set()).add(row["action"])
    assert actions["silent"] == {"copy"}
    assert actions[MATROSKA.name.split(".")[0]] == {"remux"}
    assert actions["old_camera"] == {"transcode"}
    assert actions[BIG.name.split(".")[0]] == {"transcode"}
    assert actions["phone_portrait"] == {"transcode"}
    assert actions["broadcast"] == {"remux"}
    assert actions["long_lecture"] == {"cut"}
    # Media are counted once per file, however many examples share one.
    files = {(r["file_uri"], r["action"]) for r in dataset["index"]}
    assert dataset["stats"]["clips"] == len(files)
    assert sum(dataset["stats"]["clips_by_action"].values()) == len(files)


def test_long_video_is_chunked_for_its_resolution(dataset):
    clips = [r for r in dataset["index"] if r["row_id"] == "long_lecture"]
    limit = LIMIT_SECONDS[dataset["resolution"]]
    expected = -(-LONG.seconds // (limit - 1))  # ceil: fewest clips under the limit
    assert len(clips) == expected
    clips.sort(key=lambda r: r["clip_index"])
    for a, b in zip(clips, clips[1:]):
        assert abs(a["source_end"] - b["source_start"]) < 0.2  # contiguous, as cut
        assert b["source_start"] % LONG.gop_seconds == pytest.approx(0, abs=1e-3)  # on a keyframe


def _answer_items(line: dict) -> list[dict]:
    text = line["contents"][1]["parts"][0]["text"]
    assert text.startswith("```json\n") and text.endswith("\n```")
    return json.loads(text[len("```json\n"):-len("\n```")])


def test_every_remapped_timestamp_lands_on_its_colour(dataset):
    by_sha = {r["line_sha1"]: r for r in dataset["index"]}
    import hashlib
    checked = 0
    for line in dataset["lines"]:
        raw = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        index_row = by_sha[hashlib.sha1(raw.encode("utf-8")).hexdigest()]
        if dataset["manifest"][index_row["row_id"]].get("response"):
            continue
        items = _answer_items(line)
        reader = FrameReader(line["contents"][0]["parts"][0]["fileData"]["fileUri"])
        for item in items:
            start = parse_time(item["start"])
            end = parse_time(item["end"]) if "end" in item else start + 0.5
            label = item["label"]
            assert colour_name(reader.colour_at(start + 0.1)) == label, (index_row["row_id"], item)
            assert colour_name(reader.colour_at(max(end - 0.1, start))) == label, (index_row["row_id"], item)
            if "end" in item and start >= 1:
                # One second earlier the colour is not there yet: the timestamp is not early.
                assert colour_name(reader.colour_at(start - 1.0 + 0.1)) != label, (index_row["row_id"], item)
            checked += 1
    assert checked >= 25


def test_every_annotation_of_every_good_row_appears(dataset):
    by_row = {}
    for line, row in _lines_with_index(dataset):
        by_row.setdefault(row["row_id"], []).append((row, _answer_items(line) if not dataset["manifest"][
            row["row_id"]].get("response") else []))
    for row_id, examples in by_row.items():
        source = dataset["manifest"][row_id]
        for ann in source.get("annotations", []):
            s = parse_time(ann["start"])
            e = parse_time(ann["end"]) if "end" in ann else s
            covered = []
            for row, items in examples:
                for item in items:
                    if item["label"] == ann["label"]:
                        a = row["source_start"] + parse_time(item["start"])
                        b = row["source_start"] + parse_time(item.get("end", item["start"]))
                        covered.append((a, b))
            assert covered, (row_id, ann)
            assert min(a for a, _ in covered) == pytest.approx(s, abs=0.6)
            assert max(b for _, b in covered) == pytest.approx(e, abs=0.6)


def _lines_with_index(dataset):
    import hashlib
    by_sha = {r["line_sha1"]: r for r in dataset["index"]}
    for line in dataset["lines"]:
        raw = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        yield line, by_sha[hashlib.sha1(raw.encode("utf-8")).hexdigest()]


def test_rerun_gives_the_same_bytes(dataset, corpus_manifest):
    out = dataset["out"]
    before = {name: open(os.path.join(out, name), "rb").read() for name in ("train.jsonl", "drops.jsonl")}
    index_before = pq.read_table(sorted(glob.glob(os.path.join(out, "index", "*.parquet")))).to_pylist()
    code = run(["--manifest", corpus_manifest, "--output", out, "--media_resolution", dataset["resolution"]])
    assert code == 0
    for name, data in before.items():
        assert open(os.path.join(out, name), "rb").read() == data, name
    assert pq.read_table(sorted(glob.glob(os.path.join(out, "index", "*.parquet")))).to_pylist() == index_before
    assert_conserved([corpus_manifest], out)


def test_every_line_is_valid_for_googles_sdk_types(dataset):
    from tests.genai_schema import assert_valid_tuning_line
    assert dataset["lines"]
    for line in dataset["lines"]:
        assert_valid_tuning_line(line)
