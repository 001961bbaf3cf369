import hashlib
import io
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms.core.manifest import (derived_row_id, iter_records, manifest_format, parse_row,
                                 resolve_uri)
from transforms.core.types import Annotation, Drop, DropReason, ManifestRow, Stage

DIR = "/data/manifests"
LOC = "/data/manifests/m.jsonl:1"


def ok(raw, default_prompt=None, manifest_dir=DIR):
    row = parse_row(raw, LOC, manifest_dir, default_prompt)
    assert isinstance(row, ManifestRow), row
    return row


def dropped(raw, default_prompt=None, manifest_dir=DIR):
    drop = parse_row(raw, LOC, manifest_dir, default_prompt)
    assert isinstance(drop, Drop), drop
    assert drop.stage is Stage.READ
    assert drop.location == LOC
    assert drop.kind == "row"
    return drop


def base(**changes):
    raw = {"id": "r1", "video_uri": "gs://bucket/v/a.mp4", "prompt": "List the goals.", "annotations": []}
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not None}


# ---------------------------------------------------------------- manifest_format

@pytest.mark.parametrize("path, fmt", [
    ("a.jsonl", "jsonl"), ("A.JSONL", "jsonl"), ("a.json", "jsonl"), ("a.ndjson", "jsonl"),
    ("gs://b/x/a.csv", "csv"), ("a.parquet", "parquet"), ("a.pq", "parquet"),
])
def test_manifest_format(path, fmt):
    assert manifest_format(path) == fmt


def test_manifest_format_unknown():
    with pytest.raises(ValueError, match="a.txt"):
        manifest_format("a.txt")


# ---------------------------------------------------------------- JSONL

def test_jsonl_records_and_drops_by_line():
    data = (b'{"id": "a", "video_uri": "x.mp4"}\n'
            b'\n'
            b'   \n'
            b'{not json}\n'
            b'{"id": "caf\xe9"}\n'        # latin-1 byte: not UTF-8
            b'[1, 2]\n'
            b'"text"\n'
            b'{"id": "b"}\r\n')
    records = list(iter_records("m.jsonl", data))
    assert [loc for loc, _ in records] == ["m.jsonl:1", "m.jsonl:4", "m.jsonl:5", "m.jsonl:6",
                                           "m.jsonl:7", "m.jsonl:8"]
    assert records[0][1] == {"id": "a", "video_uri": "x.mp4"}
    assert records[5][1] == {"id": "b"}
    for location, drop in records[1:5]:
        assert isinstance(drop, Drop)
        assert drop.reason is DropReason.MALFORMED_ROW
        assert drop.stage is Stage.READ
        assert drop.location == location
        assert drop.row_id == location
    assert "not valid JSON" in records[1][1].detail
    assert "not UTF-8" in records[2][1].detail
    assert "JSON list, not an object" in records[3][1].detail
    assert "JSON str, not an object" in records[4][1].detail


def test_jsonl_unicode_kept():
    data = '{"prompt": "Où est le but ?"}\n'.encode("utf-8")
    assert list(iter_records("m.ndjson", data)) == [("m.ndjson:1", {"prompt": "Où est le but ?"})]


def test_jsonl_empty_file():
    assert list(iter_records("m.jsonl", b"")) == []


# ---------------------------------------------------------------- CSV

def test_csv_annotations_json_cell_and_extra_cell():
    data = ("id,video_uri,prompt,annotations,start,end\n"
            'r1,a.mp4,Find goals,"[{""start"": ""00:05"", ""label"": ""goal""}]",,\n'
            "r2,b.mp4,p,[],1,2,EXTRA\n"
            'r3,c.mp4,p,"[oops",,\n'
            "r4,d.mp4,,,10,20\n").encode("utf-8")
    records = list(iter_records("m.csv", data))
    assert [loc for loc, _ in records] == ["m.csv:2", "m.csv:3", "m.csv:4", "m.csv:5"]
    assert records[0][1] == {"id": "r1", "video_uri": "a.mp4", "prompt": "Find goals",
                             "annotations": [{"start": "00:05", "label": "goal"}]}
    extra = records[1][1]
    assert isinstance(extra, Drop) and extra.reason is DropReason.MALFORMED_ROW
    assert "more cells" in extra.detail
    bad = records[2][1]
    assert isinstance(bad, Drop) and bad.reason is DropReason.MALFORMED_ROW
    assert "annotations" in bad.detail
    # empty cells are left out, so a missing prompt is "missing", not ""
    assert records[3][1] == {"id": "r4", "video_uri": "d.mp4", "start": "10", "end": "20"}


def test_csv_with_bom_header():
    data = "\ufeffid,video_uri\nr1,a.mp4\n".encode("utf-8")
    assert list(iter_records("m.csv", data)) == [("m.csv:2", {"id": "r1", "video_uri": "a.mp4"})]


def test_csv_not_utf8_is_one_drop():
    records = list(iter_records("m.csv", b"id,video_uri\nr1,caf\xe9.mp4\n"))
    assert len(records) == 1
    location, drop = records[0]
    assert location == "m.csv:1"
    assert isinstance(drop, Drop) and drop.reason is DropReason.MALFORMED_ROW


# ---------------------------------------------------------------- Parquet

def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_parquet_records():
    table = pa.table({
        "id": ["p1", "p2", "p3"],
        "video_uri": ["a.mp4", "b.mp4", "c.mp4"],
        "annotations": ['[{"start": 1, "end": 2, "label": "x"}]', None, "[bad"],
        "start": [None, 5.0, None],
    })
    records = list(iter_records("m.parquet", _parquet(table)))
    assert [loc for loc, _ in records] == ["m.parquet#1", "m.parquet#2", "m.parquet#3"]
    assert records[0][1] == {"id": "p1", "video_uri": "a.mp4",
                             "annotations": [{"start": 1, "end": 2, "label": "x"}]}
    assert records[1][1] == {"id": "p2", "video_uri": "b.mp4", "start": 5.0}   # nulls left out
    assert isinstance(records[2][1], Drop)
    assert records[2][1].reason is DropReason.MALFORMED_ROW


def test_parquet_nested_annotations():
    ann_type = pa.list_(pa.struct([("start", pa.float64()), ("label", pa.string())]))
    table = pa.table({"id": ["p1"], "annotations": pa.array([[{"start": 3.0, "label": "y"}]], type=ann_type)})
    records = list(iter_records("m.pq", _parquet(table)))
    assert records == [("m.pq#1", {"id": "p1", "annotations": [{"start": 3.0, "label": "y"}]})]


# ---------------------------------------------------------------- ids and URIs

def test_derived_row_id_is_stable_and_order_independent():
    a = {"video_uri": "a.mp4", "prompt": "p", "annotations": [{"start": 1}]}
    b = {"annotations": [{"start": 1}], "prompt": "p", "video_uri": "a.mp4"}
    assert derived_row_id(a) == derived_row_id(b)
    assert re.fullmatch(r"row-[0-9a-f]{16}", derived_row_id(a))
    canonical = '{"annotations": [{"start": 1}], "prompt": "p", "video_uri": "a.mp4"}'
    assert derived_row_id(a) == "row-" + hashlib.sha1(canonical.encode()).hexdigest()[:16]
    assert derived_row_id(a) != derived_row_id({**a, "prompt": "q"})


@pytest.mark.parametrize("id_value", [None, ""])
def test_parse_row_derives_id_when_missing(id_value):
    raw = base(id=id_value)  # None leaves `id` out; "" keeps an empty one
    row = ok(raw)
    assert row.row_id == derived_row_id(raw)
    assert row.row_id.startswith("row-")
    assert ok(dict(raw)).row_id == row.row_id


def test_parse_row_numeric_id_is_text():
    assert ok(base(id=7)).row_id == "7"


@pytest.mark.parametrize("uri, expected", [
    ("clips/a.mp4", "/data/manifests/clips/a.mp4"),
    ("a.mp4", "/data/manifests/a.mp4"),
    ("./a.mp4", "/data/manifests/a.mp4"),
    ("../videos/a.mp4", "/data/videos/a.mp4"),
    ("/abs/v.mp4", "/abs/v.mp4"),
    ("gs://bucket/v/a.mp4", "gs://bucket/v/a.mp4"),
    ("https://host/v.mp4", "https://host/v.mp4"),
])
def test_parse_row_resolves_video_uri(uri, expected):
    assert ok(base(video_uri=uri)).video_uri == expected


def test_relative_video_uri_in_gcs_manifest():
    assert resolve_uri("clips/a.mp4", "gs://bucket/manifests") == "gs://bucket/manifests/clips/a.mp4"


def test_drop_carries_resolved_source_and_row_id():
    drop = dropped(base(video_uri="a.mp4", prompt=None))
    assert drop.row_id == "r1"
    assert drop.source_uri == "/data/manifests/a.mp4"


# ---------------------------------------------------------------- required fields

@pytest.mark.parametrize("uri", [None, "", 42])
def test_missing_video_uri(uri):
    raw = base()
    if uri is None:
        del raw["video_uri"]
    else:
        raw["video_uri"] = uri
    drop = dropped(raw)
    assert drop.reason is DropReason.MISSING_FIELD
    assert "video_uri" in drop.detail
    assert drop.source_uri == ""


@pytest.mark.parametrize("prompt", [None, "", "   "])
def test_missing_prompt_without_default(prompt):
    raw = base()
    if prompt is None:
        del raw["prompt"]
    else:
        raw["prompt"] = prompt
    drop = dropped(raw)
    assert drop.reason is DropReason.MISSING_FIELD
    assert "prompt" in drop.detail


def test_missing_prompt_uses_default():
    raw = base()
    del raw["prompt"]
    assert ok(raw, default_prompt="Describe.").prompt == "Describe."


def test_row_prompt_wins_over_default():
    assert ok(base(), default_prompt="Describe.").prompt == "List the goals."


# ---------------------------------------------------------------- times

@pytest.mark.parametrize("start, end, exp_start, exp_end", [
    ("00:10", "00:20", 10.0, 20.0),
    (10, 20.5, 10.0, 20.5),
    ("5s", None, 5.0, None),
    (None, "1:00:00", None, 3600.0),
    ("", "", None, None),
])
def test_segment_times(start, end, exp_start, exp_end):
    raw = base()
    if start is not None:
        raw["start"] = start
    if end is not None:
        raw["end"] = end
    row = ok(raw)
    assert (row.start, row.end) == (exp_start, exp_end)


@pytest.mark.parametrize("field, value", [("start", "01:75"), ("end", "abc"), ("start", -3), ("end", True)])
def test_bad_time(field, value):
    drop = dropped(base(**{field: value}))
    assert drop.reason is DropReason.BAD_TIME
    assert f"`{field}`" in drop.detail


@pytest.mark.parametrize("start, end", [(20, 10), (10, 10), ("00:30", "00:29")])
def test_bad_range(start, end):
    assert dropped(base(start=start, end=end)).reason is DropReason.BAD_RANGE


# ---------------------------------------------------------------- annotations

def test_annotation_fields_kept_and_times_parsed():
    row = ok(base(annotations=[{"start": "00:05", "end": "00:07", "label": "goal", "team": "A"},
                               {"start": 12, "text": "kick-off"}]))
    assert row.annotations == (
        Annotation(start=5.0, end=7.0, fields={"label": "goal", "team": "A"}),
        Annotation(start=12.0, end=None, fields={"text": "kick-off"}),
    )
    assert row.response is None


def test_empty_annotations_list_is_a_target():
    row = ok(base(annotations=[]))
    assert row.annotations == ()


@pytest.mark.parametrize("annotations", [
    [{"start": 15, "end": 20}],
    [{"start": 10}],
    [{"start": 20}],
    [{"start": "00:10", "end": "00:20"}],
])
def test_annotation_inside_segment(annotations):
    row = ok(base(start=10, end=20, annotations=annotations))
    assert len(row.annotations) == 1


@pytest.mark.parametrize("start, end, annotations", [
    (10, 20, [{"start": 5}]),
    (10, 20, [{"start": 9.9, "end": 12}]),
    (10, 20, [{"start": 15, "end": 25}]),
    (10, 20, [{"start": 21}]),
    (10, None, [{"start": 9}]),
    (None, 20, [{"start": 19, "end": 21}]),
])
def test_annotation_out_of_range(start, end, annotations):
    drop = dropped(base(start=start, end=end, annotations=annotations))
    assert drop.reason is DropReason.ANNOTATION_OUT_OF_RANGE


@pytest.mark.parametrize("annotations, reason", [
    ([{"end": 5}], DropReason.MISSING_FIELD),
    ([{"start": ""}], DropReason.MISSING_FIELD),
    ([{"start": "00:99"}], DropReason.BAD_TIME),
    ([{"start": 1, "end": "x"}], DropReason.BAD_TIME),
    ([{"start": 5, "end": 4}], DropReason.BAD_RANGE),
    (["00:05"], DropReason.MALFORMED_ROW),
    ({"start": 5}, DropReason.MALFORMED_ROW),
    ("[]", DropReason.MALFORMED_ROW),
])
def test_bad_annotations(annotations, reason):
    assert dropped(base(annotations=annotations)).reason is reason


def test_zero_length_annotation_is_allowed():
    row = ok(base(annotations=[{"start": 5, "end": 5}]))
    assert row.annotations == (Annotation(start=5.0, end=5.0),)


# ---------------------------------------------------------------- target

def test_both_annotations_and_response():
    assert dropped(base(response="yes")).reason is DropReason.AMBIGUOUS_TARGET


def test_neither_annotations_nor_response():
    raw = base()
    del raw["annotations"]
    assert dropped(raw).reason is DropReason.NO_TARGET


def test_response_string_kept():
    raw = base(response="A cat sleeps.")
    del raw["annotations"]
    row = ok(raw)
    assert row.response == "A cat sleeps."
    assert row.annotations is None


@pytest.mark.parametrize("response, text", [
    ({"animal": "cat", "count": 2}, '```json\n{"animal": "cat", "count": 2}\n```'),
    (["a", "é"], '```json\n["a", "é"]\n```'),
])
def test_structured_response_rendered_as_json_fence(response, text):
    raw = base(response=response)
    del raw["annotations"]
    assert ok(raw).response == text


# ---------------------------------------------------------------- split

@pytest.mark.parametrize("split, expected", [
    (None, None), ("train", "train"), ("Train", "train"), ("training", "train"), ("TRAINING", "train"),
    ("validation", "validation"), ("Valid", "validation"), ("val", "validation"), ("VAL", "validation"),
])
def test_split_normalised(split, expected):
    assert ok(base(split=split)).split == expected


@pytest.mark.parametrize("split", ["test", "dev", 1])
def test_unknown_split(split):
    drop = dropped(base(split=split))
    assert drop.reason is DropReason.MALFORMED_ROW
    assert "split" in drop.detail


def test_location_and_segment_key():
    row = ok(base(start="00:10", end=20))
    assert row.location == LOC
    assert row.segment_key == "gs://bucket/v/a.mp4|10.0|20.0"
    assert ok(base()).segment_key == "gs://bucket/v/a.mp4||"


def test_csv_record_parses_end_to_end():
    data = ("video_uri,prompt,annotations,start,end,split\n"
            'clips/a.mp4,Find goals,"[{""start"": ""00:15"", ""end"": ""00:17"", ""label"": ""goal""}]",'
            "00:10,00:20,Val\n").encode("utf-8")
    (location, record), = iter_records("/data/manifests/m.csv", data)
    row = parse_row(record, location, DIR)
    assert isinstance(row, ManifestRow)
    assert row.video_uri == "/data/manifests/clips/a.mp4"
    assert (row.start, row.end, row.split) == (10.0, 20.0, "validation")
    assert row.annotations == (Annotation(start=15.0, end=17.0, fields={"label": "goal"}),)
    assert row.location == "/data/manifests/m.csv:2"
    assert row.row_id.startswith("row-")
