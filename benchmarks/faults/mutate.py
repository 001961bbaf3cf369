"""Seeded mutations of valid media files: the damage no one planned, reproducible from a seed.

`mutate(data, container, rng)` picks one kind of damage that suits the container and applies
it; the same bytes and the same `random.Random` state give the same variant, so a variant that
breaks the pipeline replays from `(seed, index)` alone. Pure: bytes in, bytes out.

Kinds: bit flips, truncation, overwritten ranges (everywhere), and, aware of the container,
box sizes, sample-table entries and huge entry counts (MP4), moov/mdat swapped (MP4), element
sizes set huge or unknown (Matroska), chunk sizes and header counts (AVI), sync bytes, PIDs
and adaptation lengths (MPEG-TS).
"""
from __future__ import annotations

import dataclasses
import random
import struct
from typing import Callable, Iterator, Optional

# Boxes whose payload is more boxes (the path to the sample table).
_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta", b"mvex"}
# Sample-table boxes: full-box header (4 bytes), then a 32-bit entry count, then entries
# (stsz has a 32-bit default sample size before its count).
_MP4_TABLES = {b"stts": 4, b"stss": 4, b"stsc": 4, b"stco": 4, b"ctts": 4, b"stsz": 8, b"co64": 4}
_HUGE = (0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x10000000, 0xFFFFFFF0)
_MKV_IDS = {  # EBML master elements whose size fields are worth breaking
    b"\x1a\x45\xdf\xa3": "EBML", b"\x18\x53\x80\x67": "Segment", b"\x1f\x43\xb6\x75": "Cluster",
    b"\x16\x54\xae\x6b": "Tracks", b"\xae": "TrackEntry", b"\x1c\x53\xbb\x6b": "Cues",
    b"\xa3": "SimpleBlock", b"\x11\x4d\x9b\x74": "SeekHead", b"\x15\x49\xa9\x66": "Info"}
_AVI_CHUNKS = (b"RIFF", b"LIST", b"idx1", b"strh", b"strf", b"avih", b"00dc", b"01wb", b"JUNK")


@dataclasses.dataclass(frozen=True)
class Variant:
    kind: str
    detail: str
    data: bytes


@dataclasses.dataclass(frozen=True)
class Mp4Box:
    kind: bytes
    offset: int
    size: int
    depth: int


def mp4_boxes(data: bytes, start: int = 0, end: Optional[int] = None, depth: int = 0) -> Iterator[Mp4Box]:
    """Every box (nested ones too, down the sample-table path), stopping where sizes stop adding up."""
    end = len(data) if end is None else end
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        header = 8
        if size == 1 and offset + 16 <= end:
            size, header = struct.unpack(">Q", data[offset + 8:offset + 16])[0], 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            return
        yield Mp4Box(kind, offset, size, depth)
        if kind in _MP4_CONTAINERS:
            yield from mp4_boxes(data, offset + header, offset + size, depth + 1)
        offset += size


def _put32(data: bytearray, offset: int, value: int) -> None:
    if 0 <= offset <= len(data) - 4:
        data[offset:offset + 4] = struct.pack(">I", value & 0xFFFFFFFF)


def _huge_or_random(rng: random.Random) -> int:
    return rng.choice(_HUGE) if rng.random() < 0.6 else rng.randrange(0, 1 << 32)


# --- everywhere ---------------------------------------------------------------------------

def bit_flips(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    out = bytearray(data)
    count = rng.choice((1, 4, 16, 64, 256))
    for _ in range(count):
        bit = rng.randrange(len(out) * 8)
        out[bit // 8] ^= 1 << (bit % 8)
    return f"{count} bits", bytes(out)


def truncation(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    keep = rng.choice((rng.randrange(0, 64), rng.randrange(len(data)), int(len(data) * rng.uniform(0.9, 1.0))))
    return f"kept {keep} of {len(data)} bytes", data[:keep]


def overwrite_range(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    out = bytearray(data)
    length = rng.choice((4, 64, 1024, 8192))
    start = rng.randrange(max(1, len(out) - length))
    fill = rng.choice((b"\x00", b"\xff", None))
    out[start:start + length] = (fill * length) if fill else rng.randbytes(length)
    return f"{length} bytes at {start} -> {fill.hex() if fill else 'random'}", bytes(out[:len(data)])


# --- MP4 ------------------------------------------------------------------------------------

def mp4_box_size(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    boxes = list(mp4_boxes(data))
    box = rng.choice(boxes)
    value = rng.choice((0, 1, 7, 8, box.size - 1, box.size + 1, box.size * 2, *_HUGE))
    out = bytearray(data)
    _put32(out, box.offset, value)
    return f"{box.kind.decode('latin-1')}@{box.offset} size {box.size} -> {value}", bytes(out)


def mp4_table_entry(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    tables = [b for b in mp4_boxes(data) if b.kind in _MP4_TABLES]
    if not tables:
        return bit_flips(data, rng)
    box = rng.choice(tables)
    count_at = box.offset + 8 + _MP4_TABLES[box.kind]
    count = struct.unpack(">I", data[count_at:count_at + 4])[0]
    width = 12 if box.kind == b"stsc" else 8 if box.kind in (b"stts", b"ctts", b"co64") else 4
    room = max(0, (box.offset + box.size - count_at - 4) // 4)
    if not room:
        return bit_flips(data, rng)
    word = rng.randrange(room)
    value = _huge_or_random(rng) if rng.random() < 0.7 else 0
    out = bytearray(data)
    _put32(out, count_at + 4 + 4 * word, value)
    return f"{box.kind.decode()} ({count} entries of {width} B) word {word} -> {value}", bytes(out)


def mp4_huge_count(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    tables = [b for b in mp4_boxes(data) if b.kind in _MP4_TABLES]
    if not tables:
        return bit_flips(data, rng)
    box = rng.choice(tables)
    value = rng.choice(_HUGE)
    out = bytearray(data)
    _put32(out, box.offset + 8 + _MP4_TABLES[box.kind], value)
    return f"{box.kind.decode()} entry count -> {value}", bytes(out)


def mp4_swap_moov_mdat(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """moov and mdat change places; the chunk offsets (stco) still point where mdat was."""
    top = [b for b in mp4_boxes(data) if b.depth == 0]
    kinds = [b.kind for b in top]
    if b"moov" not in kinds or b"mdat" not in kinds:
        return truncation(data, rng)
    moov, mdat = top[kinds.index(b"moov")], top[kinds.index(b"mdat")]
    first, second = sorted((moov, mdat), key=lambda b: b.offset)
    piece = lambda b: data[b.offset:b.offset + b.size]  # noqa: E731
    out = (data[:first.offset] + piece(second) + data[first.offset + first.size:second.offset]
           + piece(first) + data[second.offset + second.size:])
    return f"{first.kind.decode()}@{first.offset} <-> {second.kind.decode()}@{second.offset}", out


# --- Matroska, AVI, MPEG-TS -----------------------------------------------------------------

def _find_all(data: bytes, needle: bytes, limit: int = 200) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0 and len(found) < limit:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


def mkv_element_size(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    spots = [(at + len(i), name) for i, name in _MKV_IDS.items() for at in _find_all(data, i)]
    if not spots:
        return bit_flips(data, rng)
    at, name = rng.choice(spots)
    size = rng.choice((b"\x01\xff\xff\xff\xff\xff\xff\xff",   # "unknown size"
                       b"\x01\x00\x00\x00\xff\xff\xff\xff",   # 4 GB
                       b"\x08\x00\x00\x00\x00\x00\x00",       # 7-byte vint, 0
                       b"\xff", b"\x80", b"\x00"))            # 1 byte: unknown, 0, invalid vint
    out = bytearray(data)
    out[at:at + len(size)] = size
    return f"{name}@{at - 1} size -> {size.hex()}", bytes(out[:len(data)])


def avi_chunk_size(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    spots = [(at, fourcc) for fourcc in _AVI_CHUNKS for at in _find_all(data, fourcc, 50)]
    if not spots:
        return bit_flips(data, rng)
    at, fourcc = rng.choice(spots)
    out = bytearray(data)
    if fourcc in (b"avih", b"strh") and rng.random() < 0.5:  # a header count: frames, streams, length
        word = rng.randrange(1, 10)
        _put32(out, at + 8 + 4 * word, _huge_or_random(rng))
        detail = f"{fourcc.decode()}@{at} word {word}"
    else:
        value = _huge_or_random(rng)
        out[at + 4:at + 8] = struct.pack("<I", value)  # RIFF sizes are little-endian
        detail = f"{fourcc.decode()}@{at} size -> {value}"
    return detail, bytes(out[:len(data)])


def ts_packets(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    packets = len(data) // 188
    if not packets:
        return bit_flips(data, rng)
    out = bytearray(data)
    how = rng.choice(("sync", "pid", "adaptation", "continuity"))
    hit = rng.sample(range(packets), min(packets, rng.choice((1, 8, 64))))
    for p in hit:
        at = p * 188
        if how == "sync":
            out[at] = rng.randrange(256)
        elif how == "pid":
            out[at + 1] = (out[at + 1] & 0xE0) | rng.randrange(32)
            out[at + 2] = rng.randrange(256)
        elif how == "adaptation":
            out[at + 3] |= 0x20
            out[at + 4] = rng.choice((0, 183, 184, 255))
        else:
            out[at + 3] = (out[at + 3] & 0xF0) | rng.randrange(16)
    return f"{how} in {len(hit)} packets", bytes(out)


GENERIC: tuple[Callable, ...] = (bit_flips, truncation, overwrite_range)
BY_CONTAINER: dict[str, tuple[Callable, ...]] = {
    "mp4": (mp4_box_size, mp4_table_entry, mp4_table_entry, mp4_huge_count, mp4_swap_moov_mdat),
    "mkv": (mkv_element_size, mkv_element_size),
    "avi": (avi_chunk_size, avi_chunk_size),
    "ts": (ts_packets, ts_packets),
}


def mutate(data: bytes, container: str, rng: random.Random) -> Variant:
    """One variant of `data`: a kind of damage drawn from the generic ones and the container's."""
    kinds = GENERIC + BY_CONTAINER.get(container, ())
    kind = rng.choice(kinds)
    detail, out = kind(data, rng)
    if out == data:  # the bytes already held what was written (an 0xff over 0xff): flip one bit
        more, out = bit_flips(data, random.Random(rng.random()))
        detail = f"{detail} (no change; then {more})"
    if rng.random() < 0.15:  # now and then two kinds of damage at once
        second = rng.choice(kinds)
        more, out = second(out, rng) if out else ("", out)
        detail, kind_name = f"{detail}; then {second.__name__}: {more}", f"{kind.__name__}+{second.__name__}"
        return Variant(kind_name, detail, out)
    return Variant(kind.__name__, detail, out)


def variant_rng(seed: int, container: str, index: int) -> random.Random:
    """The generator of one variant: (seed, container, index) replays it, whatever else ran."""
    return random.Random(f"{seed}/{container}/{index}")
