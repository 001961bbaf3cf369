"""The top-level boxes of an ISO (MP4/MOV) file, and which of its bytes are media payload. Pure.

An MP4's `moov` box holds the whole sample table: every frame's time, size, position and
keyframe flag. The demuxer builds its packets from that table; it copies payload bytes (the
`mdat` boxes) into packets without looking at them. So the probe can read the `moov` and
skip the payload (see media_bytes.MaskedView): a few hundred KB instead of the whole file,
for the same timestamps. Fragmented files (`moof`) keep their tables beside the payload and
are read whole.
"""
from __future__ import annotations

import dataclasses
import struct
from typing import Callable, Optional

# Box types that may start an ISO file (QuickTime files can start with any of the later ones).
_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid"}
# More top-level boxes than this is not a real file: stop walking rather than loop on garbage.
_MAX_BOXES = 4096


@dataclasses.dataclass(frozen=True)
class Box:
    kind: bytes
    offset: int
    header: int     # 8, or 16 with a 64-bit size
    size: int       # the whole box, header included

    @property
    def payload(self) -> tuple[int, int]:
        return self.offset + self.header, self.offset + self.size


def top_level_boxes(read_at: Callable[[int, int], bytes], file_size: int) -> Optional[list[Box]]:
    """The file's top-level boxes, or None when it is not an ISO file or its boxes do not add up."""
    boxes: list[Box] = []
    offset = 0
    while offset < file_size:
        head = read_at(offset, 16)
        if len(head) < 8:
            return None
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1:  # a 64-bit size follows the type
            if len(head) < 16:
                return None
            size = struct.unpack(">Q", head[8:16])[0]
            header = 16
        elif size == 0:  # the box runs to the end of the file
            size = file_size - offset
        if not boxes and kind not in _FIRST_BOXES:
            return None
        if size < header or offset + size > file_size or len(boxes) >= _MAX_BOXES:
            return None
        boxes.append(Box(kind, offset, header, size))
        offset += size
    return boxes


def payload_ranges(boxes: Optional[list[Box]]) -> Optional[list[tuple[int, int]]]:
    """The [start, end) byte ranges a probe may skip: every `mdat` payload, when the file's sample
    table is all in one `moov`. None when the whole file must be read."""
    if not boxes:
        return None
    kinds = [box.kind for box in boxes]
    if kinds.count(b"moov") != 1 or b"moof" in kinds:
        return None
    return [box.payload for box in boxes if box.kind == b"mdat"]
