"""One bad record costs that record, never the file: iter_records never raises, and every record it
read before a failure is still there (so the gate's "rows add up" sees every row)."""
from __future__ import annotations

import csv

from transforms.core.manifest import iter_records
from transforms.core.types import Drop, DropReason

HUGE = "x" * 200_000  # over csv's default field limit of 131,072 characters


def test_a_csv_field_over_the_default_limit_costs_no_row():
    data = ("id,video_uri,prompt\n"
            "a,a.mp4,first\n"
            f'b,b.mp4,"{HUGE}"\n'
            "c,c.mp4,last\n").encode()
    records = list(iter_records("m.csv", data))
    assert records == [("m.csv:2", {"id": "a", "video_uri": "a.mp4", "prompt": "first"}),
                       ("m.csv:3", {"id": "b", "video_uri": "b.mp4", "prompt": HUGE}),
                       ("m.csv:4", {"id": "c", "video_uri": "c.mp4", "prompt": "last"})]


def test_a_huge_quoted_field_over_many_lines_is_one_record():
    """Past the limit, csv would go on reading the rest of the field as rows of its own."""
    long_text = "line\n" * 40_000
    data = ("id,video_uri,prompt\n" f'a,a.mp4,"{long_text}"\n' "b,b.mp4,p\n").encode()
    records = list(iter_records("m.csv", data))
    assert [r["id"] for _, r in records] == ["a", "b"]
    assert records[0][1]["prompt"] == long_text


def test_the_limit_is_only_raised():
    old = csv.field_size_limit(10 ** 9)
    try:
        list(iter_records("m.csv", b"id,video_uri\na,a.mp4\n"))
        assert csv.field_size_limit() == 10 ** 9  # a small file never lowers another thread's limit
    finally:
        csv.field_size_limit(old)


def test_a_jsonl_line_nested_too_deep_is_its_own_drop():
    data = b'{"id": "a", "video_uri": "a.mp4"}\n' + b"[" * 100_000 + b'\n{"id": "c", "video_uri": "c.mp4"}\n'
    records = list(iter_records("m.jsonl", data))
    assert [loc for loc, _ in records] == ["m.jsonl:1", "m.jsonl:2", "m.jsonl:3"]
    assert isinstance(records[1][1], Drop) and records[1][1].reason is DropReason.MALFORMED_ROW
    assert records[2][1] == {"id": "c", "video_uri": "c.mp4"}


def test_a_file_that_is_not_parquet_is_one_drop_not_an_exception():
    records = list(iter_records("m.parquet", b"PAR1 but not really"))
    assert len(records) == 1
    location, drop = records[0]
    assert location == "m.parquet"
    assert drop.reason is DropReason.UNREADABLE_MANIFEST and "Parquet" in drop.detail


def test_a_name_of_no_known_format_is_one_drop_not_an_exception():
    (location, drop), = iter_records("m.txt", b"anything")
    assert location == "m.txt" and drop.reason is DropReason.UNREADABLE_MANIFEST
    assert ".jsonl, .csv or .parquet" in drop.detail
