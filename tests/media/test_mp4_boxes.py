"""The top-level box walk that tells the probe which bytes of an MP4 it may skip."""
from __future__ import annotations

import struct

from transforms.media.mp4_boxes import Box, payload_ranges, top_level_boxes


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def large_box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4sQ", 1, kind, 16 + len(body)) + body


def walk(data: bytes):
    return top_level_boxes(lambda offset, count: data[offset:offset + count], len(data))


def test_a_faststart_file_skips_only_the_payload():
    data = box(b"ftyp", b"isom" * 4) + box(b"moov", b"m" * 100) + box(b"mdat", b"x" * 1000)
    boxes = walk(data)
    assert [b.kind for b in boxes] == [b"ftyp", b"moov", b"mdat"]
    mdat_start = 24 + 108
    assert payload_ranges(boxes) == [(mdat_start + 8, len(data))]


def test_moov_at_the_end_and_a_64_bit_mdat():
    data = box(b"ftyp", b"isom") + large_box(b"mdat", b"x" * 500) + box(b"moov", b"m" * 40)
    boxes = walk(data)
    assert boxes[1] == Box(b"mdat", 12, 16, 516)
    assert payload_ranges(boxes) == [(28, 528)]


def test_a_last_box_of_size_zero_runs_to_the_end():
    data = box(b"ftyp", b"isom") + box(b"moov", b"m") + struct.pack(">I4s", 0, b"mdat") + b"x" * 50
    boxes = walk(data)
    assert boxes[-1].size == 58 and payload_ranges(boxes) == [(29, len(data))]


def test_not_an_iso_file_or_boxes_that_do_not_add_up_are_read_whole():
    assert walk(b"RIFF\x00\x00\x00\x00AVI LIST") is None
    assert walk(b"\x1aE\xdf\xa3" + b"\x00" * 40) is None  # Matroska
    truncated = box(b"ftyp", b"isom") + struct.pack(">I4s", 5000, b"mdat") + b"x" * 10
    assert walk(truncated) is None
    assert payload_ranges(None) is None


def test_fragmented_or_moov_less_files_are_read_whole():
    fragmented = box(b"ftyp", b"isom") + box(b"moov", b"m") + box(b"moof", b"f") + box(b"mdat", b"x")
    assert payload_ranges(walk(fragmented)) is None
    no_moov = box(b"ftyp", b"isom") + box(b"mdat", b"x" * 10)
    assert payload_ranges(walk(no_moov)) is None
