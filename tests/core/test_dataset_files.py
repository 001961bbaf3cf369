import io
import json
import random

import pyarrow.parquet as pq
import pytest

from transforms.core.dataset_files import (INDEX_SCHEMA, drops_jsonl_bytes, index_parquet_bytes, is_drop_record_file,
                                          jsonl_bytes, shard_name, shard_of)


def test_shard_of_known_value():
    # sha1("abc") = a9993e36...; 0xa9993e36 = 2845392438
    assert shard_of("abc", 16) == 2845392438 % 16 == 6
    assert shard_of("abc", 1000) == 438


@pytest.mark.parametrize("num_shards", [1, 2, 7, 16])
def test_shard_of_stable_and_in_range(num_shards):
    keys = [f"row-{i}" for i in range(500)]
    first = [shard_of(k, num_shards) for k in keys]
    assert first == [shard_of(k, num_shards) for k in keys]
    assert all(0 <= s < num_shards for s in first)
    assert set(first) == set(range(num_shards))      # 500 keys reach every shard


def test_shard_name():
    assert shard_name("shards/train", 3, 16, ".jsonl") == "shards/train-00003-of-00016.jsonl"


def test_jsonl_bytes():
    assert jsonl_bytes(["a", "é"]) == "a\né\n".encode("utf-8")
    assert jsonl_bytes([]) == b""


def _index_row(split, row_id, clip_index, **extra):
    row = {"split": split, "row_id": row_id, "source_uri": f"gs://b/{row_id}.mp4", "source_start": 10.0 * clip_index,
           "source_end": 10.0 * clip_index + 10.0, "file_uri": f"gs://b/media/{row_id}-{clip_index}.mp4",
           "clip_index": clip_index, "clip_count": 2, "duration": 10.0, "bytes": 12345, "action": "cut",
           "mime_type": "video/mp4", "est_tokens": 1020, "line_sha1": "0" * 40, "location": f"m.jsonl:{row_id}",
           "source_duration": 20.0, "planned_start": 10.0 * clip_index, "planned_end": 10.0 * clip_index + 10.0,
           "action_cause": "longer than a clip", "note": "", "video_index": 0, "video_count": 1}
    row.update(extra)
    return row


def test_index_parquet_round_trips_sorted():
    rows = [_index_row("validation", "a", 0), _index_row("train", "b", 1), _index_row("train", "b", 0),
            _index_row("train", "a", 1), _index_row("train", "a", 0, unused="ignored")]
    table = pq.read_table(io.BytesIO(index_parquet_bytes(rows)))
    assert table.schema.equals(INDEX_SCHEMA)
    got = table.to_pylist()
    assert [(r["split"], r["row_id"], r["clip_index"]) for r in got] == [
        ("train", "a", 0), ("train", "a", 1), ("train", "b", 0), ("train", "b", 1), ("validation", "a", 0)]
    expected = {(r["split"], r["row_id"], r["clip_index"]): {k: r[k] for k in INDEX_SCHEMA.names} for r in rows}
    for r in got:
        assert r == expected[(r["split"], r["row_id"], r["clip_index"])]
    assert "unused" not in table.column_names


def test_index_parquet_keeps_a_row_per_video_in_order():
    rows = [_index_row("train", "pair", 0, video_index=1, video_count=2, source_uri="/v/b.mp4"),
            _index_row("train", "pair", 0, video_index=0, video_count=2),
            {k: v for k, v in _index_row("train", "one", 0).items() if k not in ("video_index", "video_count")}]
    got = pq.read_table(io.BytesIO(index_parquet_bytes(rows))).to_pylist()
    assert [(r["row_id"], r["video_index"], r["video_count"]) for r in got] == [
        ("one", 0, 1), ("pair", 0, 2), ("pair", 1, 2)]  # a row built without the columns: 0 of 1
    assert got[2]["source_uri"] == "/v/b.mp4"


def test_index_parquet_identical_for_shuffled_input():
    rows = [_index_row(s, f"r{i}", c) for s in ("train", "validation") for i in range(5) for c in range(2)]
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    assert index_parquet_bytes(rows) == index_parquet_bytes(shuffled)


def _drop(row_id, location="m.jsonl:1", stage="read", reason="bad_time", detail="d"):
    return {"row_id": row_id, "source_uri": "", "stage": stage, "reason": reason, "detail": detail,
            "kind": "row", "location": location}


def test_drops_jsonl_sorted():
    drops = [_drop("b"), _drop("a", "m.jsonl:9"), _drop("a", "m.jsonl:10"), _drop("a", "m.jsonl:10", "plan")]
    lines = drops_jsonl_bytes(drops).decode("utf-8").splitlines()
    got = [json.loads(line) for line in lines]
    assert [(d["row_id"], d["location"], d["stage"]) for d in got] == [
        ("a", "m.jsonl:10", "plan"), ("a", "m.jsonl:10", "read"), ("a", "m.jsonl:9", "read"), ("b", "m.jsonl:1", "read")]
    # keys are sorted inside each line, and non-ASCII is kept
    assert lines[0].startswith('{"detail": "d", "kind": "row", "location": "m.jsonl:10"')


def test_drops_jsonl_identical_for_shuffled_input():
    drops = [_drop(f"r{i % 7}", f"m.jsonl:{i}", reason=("bad_time", "no_target")[i % 2], detail=f"é{i}")
             for i in range(40)]
    shuffled = drops[:]
    random.Random(3).shuffle(shuffled)
    data = drops_jsonl_bytes(drops)
    assert data == drops_jsonl_bytes(shuffled)
    assert data.endswith(b"\n") and data.count(b"\n") == 40
    assert "é0".encode("utf-8") in data


def test_drops_jsonl_empty():
    assert drops_jsonl_bytes([]) == b""


@pytest.mark.parametrize("path, expected", [
    ("gs://b/ds/drops.jsonl", True), ("/out/drops/part-00000-of-00002.jsonl", True), ("drops.jsonl", True),
    ("gs://b/ds/train.jsonl", False), ("/out/validation.jsonl", False), ("/out/my_drops.jsonl", False),
    ("/out/drops/notes.jsonl", False)])
def test_drop_record_files_are_known_by_name(path, expected):
    assert is_drop_record_file(path) is expected
