"""--segments virtual end to end: a too-long source is copied once and examples carry offsets.

The pixel check reads the one copied file at startOffset + each remapped time.
"""
from __future__ import annotations

import filecmp
import glob
import json
import os

import pyarrow.parquet as pq
import pytest

from pipeline.run import run
from pipeline.synthetic_media import LONG, MATROSKA, SILENT
from tests.media_checks import FrameReader, colour_name
from transforms.core.timecode import parse_time

pytestmark = pytest.mark.e2e

LIMIT = 300  # MEDIUM


@pytest.fixture(scope="module")
def virtual_run(corpus_manifest, tmp_path_factory):
    folder = os.path.dirname(corpus_manifest)
    keep = {LONG.name, SILENT.name, MATROSKA.name}
    manifest = str(tmp_path_factory.mktemp("virtual-manifest") / "manifest.jsonl")
    rows = {}
    with open(corpus_manifest, encoding="utf-8") as src, open(manifest, "w", encoding="utf-8") as dst:
        for line in src:
            row = json.loads(line)
            if row["video_uri"] in keep:
                row["video_uri"] = os.path.join(folder, row["video_uri"])
                rows[row["id"]] = row
                dst.write(json.dumps(row) + "\n")
    out = str(tmp_path_factory.mktemp("virtual-out"))
    code = run(["--manifest", manifest, "--output", out, "--media_resolution", "MEDIUM",
                "--segments", "virtual", "--validation_fraction", "0"])
    with open(os.path.join(out, "train.jsonl"), encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    index = pq.read_table(sorted(glob.glob(os.path.join(out, "index", "*.parquet")))).to_pylist()
    by_sha = {r["line_sha1"]: r for r in index}
    import hashlib
    paired = [(line, by_sha[hashlib.sha1(json.dumps(line, ensure_ascii=False, separators=(",", ":"))
                                         .encode("utf-8")).hexdigest()]) for line in lines]
    return {"code": code, "out": out, "paired": paired, "rows": rows, "source": os.path.join(folder, LONG.name)}


def _video_part(line: dict) -> dict:
    return line["contents"][0]["parts"][0]


def _seconds(duration: str) -> float:
    assert duration.endswith("s")
    return float(duration[:-1])


def test_virtual_run_passes_the_gate(virtual_run):
    assert virtual_run["code"] == 0


def test_long_source_is_copied_once_and_referenced_with_offsets(virtual_run):
    long_rows = [(line, row) for line, row in virtual_run["paired"] if row["row_id"].startswith("long_lecture")]
    assert {row["action"] for _, row in long_rows} == {"virtual"}
    uris = {_video_part(line)["fileData"]["fileUri"] for line, _ in long_rows}
    assert len(uris) == 1  # one copy of the source serves every example
    (uri,) = uris
    assert filecmp.cmp(uri, virtual_run["source"], shallow=False)
    media_files = [p for p in glob.glob(os.path.join(virtual_run["out"], "media", "*")) if os.path.isfile(p)]
    assert len(media_files) == 3  # the long source's copy, the silent copy, the Matroska remux
    whole = sorted((row for _, row in long_rows if row["row_id"] == "long_lecture"), key=lambda r: r["clip_index"])
    assert len(whole) == -(-LONG.seconds // (LIMIT - 1))
    for line, row in long_rows:
        meta = _video_part(line)["videoMetadata"]
        start, end = _seconds(meta["startOffset"]), _seconds(meta["endOffset"])
        assert (start, end) == pytest.approx((row["source_start"], row["source_end"]), abs=1e-6)
        assert 0 < end - start <= LIMIT
    for a, b in zip(whole, whole[1:]):
        assert a["source_end"] == pytest.approx(b["source_start"])  # offsets tile the source, no gap
    assert whole[0]["source_start"] == 0 and whole[-1]["source_end"] == pytest.approx(LONG.seconds, abs=0.2)


def test_sources_that_comply_or_need_a_remux_carry_no_offsets(virtual_run):
    for line, row in virtual_run["paired"]:
        if row["row_id"] in ("silent", "silent-caption", "matroska_clip", "matroska-clock"):
            assert "videoMetadata" not in _video_part(line)
            assert row["action"] in ("copy", "remux")


def test_every_remapped_timestamp_lands_on_its_colour_at_offset_plus_time(virtual_run):
    readers: dict[str, FrameReader] = {}
    checked = 0
    for line, row in virtual_run["paired"]:
        if not row["row_id"].startswith("long_lecture"):
            continue
        part = _video_part(line)
        uri = part["fileData"]["fileUri"]
        reader = readers.setdefault(uri, FrameReader(uri))
        offset = _seconds(part["videoMetadata"]["startOffset"])
        text = line["contents"][1]["parts"][0]["text"]
        for item in json.loads(text[len("```json\n"):-len("\n```")]):
            start = offset + parse_time(item["start"])
            end = offset + parse_time(item["end"])
            assert colour_name(reader.colour_at(start + 0.1)) == item["label"], (row["row_id"], item)
            assert colour_name(reader.colour_at(max(end - 0.1, start))) == item["label"], (row["row_id"], item)
            if parse_time(item["start"]) >= 1:  # not clipped at the offset: one second earlier it is not there
                assert colour_name(reader.colour_at(start - 1.0 + 0.1)) != item["label"], (row["row_id"], item)
            checked += 1
    assert checked >= 12
