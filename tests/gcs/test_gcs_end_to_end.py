"""The whole pipeline with manifest, sources and output on GCS (a real server: the emulator).

Checks what the local end-to-end test checks, reading the outputs back through the
google-cloud-storage client and downloading the clips for the pixel checks.
"""
from __future__ import annotations

import hashlib
import io
import json
import os

import pyarrow.parquet as pq
import pytest

from pipeline.run import run
from pipeline.synthetic_media import LONG, MATROSKA
from tests.e2e.test_end_to_end import _answer_items, _manifest_rows
from tests.gcs.corpus import upload_corpus
from tests.gcs.emulator import BUCKET, download, storage_client
from tests.media_checks import FrameReader, colour_name, media_duration
from transforms.store import storage
from transforms.core.timecode import parse_time

pytestmark = pytest.mark.e2e

OUT = f"gs://{BUCKET}/e2e-out"
LIMIT_SECONDS = 1200  # LOW


def _blob_bytes(uri: str) -> bytes:
    bucket, _, name = uri[len("gs://"):].partition("/")
    return storage_client().bucket(bucket).blob(name).download_as_bytes()


def _list(prefix_uri: str) -> list[str]:
    bucket, _, prefix = prefix_uri[len("gs://"):].partition("/")
    return sorted(f"gs://{bucket}/{b.name}" for b in storage_client().list_blobs(bucket, prefix=prefix))


def read_gcs_outputs(out: str) -> dict:
    raw_lines = []
    for split in ("train", "validation"):
        uri = f"{out}/{split}.jsonl"
        if storage.exists(uri):
            raw_lines += [(split, line) for line in _blob_bytes(uri).decode("utf-8").splitlines()]
    index = []
    for uri in _list(f"{out}/index/"):
        index += pq.read_table(io.BytesIO(_blob_bytes(uri))).to_pylist()
    drops = [json.loads(line) for line in _blob_bytes(f"{out}/drops.jsonl").decode("utf-8").splitlines()]
    stats = json.loads(_blob_bytes(f"{out}/stats.json"))
    return {"raw_lines": raw_lines, "lines": [json.loads(line) for _, line in raw_lines], "index": index,
            "drops": drops, "stats": stats}


@pytest.fixture(scope="module")
def gcs_dataset(gcs_emulator, corpus_manifest, tmp_path_factory):
    local = tmp_path_factory.mktemp("gcs-e2e")
    manifest = upload_corpus(corpus_manifest, "corpus", str(local / "manifest.jsonl"))
    assert manifest == f"gs://{BUCKET}/corpus/manifest.jsonl"
    # A glob, as users give them: Beam's FileSystems matches it on GCS.
    code = run(["--manifest", f"gs://{BUCKET}/corpus/*.jsonl", "--output", OUT, "--media_resolution", "LOW"])
    data = read_gcs_outputs(OUT)
    data.update(code=code, manifest=_manifest_rows(str(local / "manifest.jsonl")), local=str(local))
    return data


def _local_clip(dataset, uri: str) -> str:
    assert uri.startswith(f"{OUT}/media/"), uri
    local = os.path.join(dataset["local"], "media", uri.rsplit("/", 1)[1])
    return local if os.path.exists(local) else download(uri, local)


def _with_index(dataset):
    by_sha = {r["line_sha1"]: r for r in dataset["index"]}
    for (_, raw), line in zip(dataset["raw_lines"], dataset["lines"]):
        yield line, by_sha[hashlib.sha1(raw.encode("utf-8")).hexdigest()]


def test_run_on_gcs_passes_the_gate(gcs_dataset):
    assert gcs_dataset["code"] == 0, gcs_dataset["stats"]["gate"]
    assert gcs_dataset["stats"]["gate"]["verdict"] == "pass"


def test_every_row_is_in_the_index_or_the_drops_never_both(gcs_dataset):
    indexed = {r["row_id"] for r in gcs_dataset["index"]}
    dropped = {d["row_id"] for d in gcs_dataset["drops"] if d["kind"] == "row"}
    assert indexed.isdisjoint(dropped)
    assert indexed | dropped == set(gcs_dataset["manifest"])
    assert gcs_dataset["stats"]["rows_in"] == len(gcs_dataset["manifest"])


def test_sources_are_probed_in_place_reading_a_fraction_of_them(gcs_dataset):
    stats = gcs_dataset["stats"]
    assert stats["probes_made"] == stats["sources"]
    # The MP4s cost their headers; the MPEG-TS, AVI and Matroska sources are read whole.
    assert 0 < stats["probe_bytes_read"] < stats["media_bytes_in"] / 2


def test_broken_file_is_dropped_with_a_reason(gcs_dataset):
    broken = [d for d in gcs_dataset["drops"] if d["row_id"] == "broken"]
    assert [(d["stage"], d["reason"]) for d in broken] == [("probe", "unreadable_media")]


def test_index_matches_the_lines(gcs_dataset):
    by_sha = {r["line_sha1"]: r for r in gcs_dataset["index"]}
    assert len(by_sha) == len(gcs_dataset["raw_lines"]) == len(gcs_dataset["index"]) > 0
    for split, raw in gcs_dataset["raw_lines"]:
        row = by_sha[hashlib.sha1(raw.encode("utf-8")).hexdigest()]
        assert row["split"] == split
        assert json.loads(raw)["contents"][0]["parts"][0]["fileData"]["fileUri"] == row["file_uri"]


def test_every_referenced_object_is_on_gcs_and_within_the_limits(gcs_dataset):
    for line in gcs_dataset["lines"]:
        assert line["generationConfig"]["mediaResolution"] == "MEDIA_RESOLUTION_LOW"
        video, prompt = line["contents"][0]["parts"]
        uri = video["fileData"]["fileUri"]
        assert uri.startswith(f"{OUT}/media/")
        assert storage.size(uri) <= 100_000_000
        assert media_duration(_local_clip(gcs_dataset, uri)) <= LIMIT_SECONDS
        assert video["fileData"]["mimeType"] == "video/mp4"


def test_each_source_got_the_cheapest_treatment(gcs_dataset):
    actions = {}
    for row in gcs_dataset["index"]:
        actions.setdefault(row["row_id"], set()).add(row["action"])
    assert actions["silent"] == {"copy"}
    assert actions[MATROSKA.name.split(".")[0]] == {"remux"}
    assert actions["old_camera"] == {"transcode"}
    assert actions["phone_portrait"] == {"transcode"}
    assert actions["broadcast"] == {"remux"}
    assert actions["long_lecture"] == {"cut"}


def test_copied_source_is_byte_identical(gcs_dataset):
    (row,) = [r for r in gcs_dataset["index"] if r["row_id"] == "silent"]
    assert _blob_bytes(row["file_uri"]) == _blob_bytes(row["source_uri"])


def test_long_video_is_chunked_on_keyframes(gcs_dataset):
    clips = sorted((r for r in gcs_dataset["index"] if r["row_id"] == "long_lecture"),
                   key=lambda r: r["clip_index"])
    assert len(clips) == -(-LONG.seconds // (LIMIT_SECONDS - 1))
    for a, b in zip(clips, clips[1:]):
        assert abs(a["source_end"] - b["source_start"]) < 0.2
        assert b["source_start"] % LONG.gop_seconds == pytest.approx(0, abs=1e-3)


def test_every_remapped_timestamp_lands_on_its_colour(gcs_dataset):
    checked = 0
    for line, index_row in _with_index(gcs_dataset):
        if gcs_dataset["manifest"][index_row["row_id"]].get("response"):
            continue
        reader = FrameReader(_local_clip(gcs_dataset, line["contents"][0]["parts"][0]["fileData"]["fileUri"]))
        for item in _answer_items(line):
            start = parse_time(item["start"])
            end = parse_time(item["end"]) if "end" in item else start + 0.5
            assert colour_name(reader.colour_at(start + 0.1)) == item["label"], (index_row["row_id"], item)
            assert colour_name(reader.colour_at(max(end - 0.1, start))) == item["label"], (index_row["row_id"], item)
            if "end" in item and start >= 1:
                assert colour_name(reader.colour_at(start - 1.0 + 0.1)) != item["label"], (index_row["row_id"], item)
            checked += 1
    assert checked >= 20


def test_every_annotation_of_every_good_row_appears(gcs_dataset):
    by_row = {}
    for line, row in _with_index(gcs_dataset):
        items = [] if gcs_dataset["manifest"][row["row_id"]].get("response") else _answer_items(line)
        by_row.setdefault(row["row_id"], []).append((row, items))
    assert by_row
    for row_id, examples in by_row.items():
        for ann in gcs_dataset["manifest"][row_id].get("annotations", []):
            s = parse_time(ann["start"])
            e = parse_time(ann["end"]) if "end" in ann else s
            covered = [(row["source_start"] + parse_time(i["start"]),
                        row["source_start"] + parse_time(i.get("end", i["start"])))
                       for row, items in examples for i in items if i["label"] == ann["label"]]
            assert covered, (row_id, ann)
            assert min(a for a, _ in covered) == pytest.approx(s, abs=0.6)
            assert max(b for _, b in covered) == pytest.approx(e, abs=0.6)


def test_split_files_are_composed_from_the_shards(gcs_dataset):
    for split in ("train", "validation"):
        shards = _list(f"{OUT}/shards/{split}-")
        if shards:
            assert _blob_bytes(f"{OUT}/{split}.jsonl") == b"".join(_blob_bytes(s) for s in shards)
    assert not _list(f"{OUT}/train.jsonl.compose/")  # the intermediate objects are gone
