"""ReadManifest on a real Beam runner: every record is a row or a drop, ids unique, formats alike."""
import json

import pytest

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.stages.read_manifest import ReadManifest, match_manifests

ROWS = [
    {"id": "a", "video_uri": "v/a.mp4", "prompt": "p", "annotations": [{"start": "00:01", "end": 2, "label": "x"}]},
    {"id": "b", "video_uri": "/abs/b.mp4", "prompt": "p", "response": "fine"},
    {"id": "dup", "video_uri": "c.mp4", "prompt": "p", "annotations": []},
    {"id": "dup", "video_uri": "d.mp4", "prompt": "p", "annotations": []},
    {"id": "late", "video_uri": "e.mp4", "prompt": "p", "annotations": [{"start": "1:xx"}]},
]


def _write_jsonl(path, rows, extra_lines=()):
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
        for line in extra_lines:
            handle.write(line + "\n")


def _run(path, rows, drops, count):
    """Read one manifest on the DirectRunner and check all three outputs of ReadManifest."""
    with TestPipeline(options=beam.options.pipeline_options.PipelineOptions(
            ["--runner=DirectRunner", "--direct_running_mode=in_memory"])) as p:
        out = p | ReadManifest([path])
        assert_that(out["rows"] | "Ids" >> beam.Map(lambda r: (r.row_id, r.video_uri)),
                    equal_to(rows), label="rows")
        # Undecodable lines have no id: their row_id is their place, file:line.
        assert_that(out["drops"] | "Reasons" >> beam.Map(lambda d: (d.row_id.split("/")[-1], d.reason.value)),
                    equal_to(drops), label="drops")
        assert_that(out["count"], equal_to([count]), label="count")


def test_jsonl_rows_and_every_kind_of_bad_line(tmp_path):
    path = str(tmp_path / "m.jsonl")
    _write_jsonl(path, ROWS, extra_lines=["{not json", "[1, 2]", ""])
    with open(path, "ab") as handle:
        handle.write(b'{"id": "\xff\xfe"}\n')
    _run(path,
         rows=[("a", f"{tmp_path}/v/a.mp4"), ("b", "/abs/b.mp4")],
         drops=[("dup", "duplicate_id"), ("dup", "duplicate_id"), ("late", "bad_time"),
                ("m.jsonl:6", "malformed_row"), ("m.jsonl:7", "malformed_row"), ("m.jsonl:9", "malformed_row")],
         count=8)  # 5 rows + 3 bad lines; the blank line is layout


def test_csv_with_annotations_as_json_strings(tmp_path):
    path = str(tmp_path / "m.csv")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("id,video_uri,prompt,annotations,response\n")
        handle.write('a,v/a.mp4,p,"[{""start"": ""00:01"", ""end"": 2}]",\n')
        handle.write("b,/abs/b.mp4,p,,fine\n")
        handle.write("c,c.mp4,,[],\n")  # no prompt
    _run(path, rows=[("a", f"{tmp_path}/v/a.mp4"), ("b", "/abs/b.mp4")], drops=[("c", "missing_field")], count=3)


def test_parquet_reads_like_jsonl(tmp_path):
    path = str(tmp_path / "m.parquet")
    table = pa.Table.from_pylist([
        {"id": "a", "video_uri": "v/a.mp4", "prompt": "p", "annotations": json.dumps([{"start": 1}]),
         "response": None},
        {"id": "b", "video_uri": "/abs/b.mp4", "prompt": "p", "annotations": None, "response": "fine"},
        {"id": "c", "video_uri": "c.mp4", "prompt": "p", "annotations": None, "response": None},
    ])
    pq.write_table(table, path)
    _run(path, rows=[("a", f"{tmp_path}/v/a.mp4"), ("b", "/abs/b.mp4")], drops=[("c", "no_target")], count=3)


def test_a_pattern_that_matches_nothing_is_refused(tmp_path):
    with pytest.raises(ValueError, match="matches no file"):
        match_manifests([str(tmp_path / "nothing*.jsonl")])
