"""The edit lists of an MP4/MOV file's tracks, read from its `moov` box. Pure.

An edit list (`edts/elst`) maps a track's media time onto the movie's timeline. Three kinds
matter here, because each moves "00:07" for a decoder that ignores them:

- a trimmed start (`ffmpeg -ss 3.3 -i in.mp4 -c copy out.mp4`): one edit whose media time is
  past the first frame, so the frames from the keyframe before the cut up to it are in the file
  but are not shown;
- an empty edit (media time -1): the track starts late (a delayed start, `-itsoffset`);
- AAC priming: the audio track's one edit skips the encoder's first 1024 (FFmpeg) or 2112
  (Apple) samples, so that sound starts at 0. Harmless, and every AAC-in-MP4 file has it.

FFmpeg's mov demuxer honours all three (it marks the hidden packets as discarded and shifts a
delayed track); this module says which kind a file has, so the pipeline can decide whether a
copy of it means the same times to every reader, and the tests can read what was written.
"""
from __future__ import annotations

import dataclasses
import struct
from typing import Callable, Iterator, Optional


@dataclasses.dataclass(frozen=True)
class Edit:
    duration: float        # seconds of the movie timeline this edit fills
    media_time: float      # seconds into the track's media where it starts; -1 for an empty edit
    rate: float = 1.0

    @property
    def empty(self) -> bool:
        return self.media_time < 0


@dataclasses.dataclass(frozen=True)
class Track:
    handler: str           # "vide", "soun", ...
    timescale: int
    edits: tuple[Edit, ...]

    @property
    def delay(self) -> float:
        """Seconds of empty edits before the track's first shown sample."""
        total = 0.0
        for edit in self.edits:
            if not edit.empty:
                break
            total += edit.duration
        return total

    @property
    def skipped(self) -> float:
        """Seconds of media the first real edit skips (a trimmed start, or the AAC priming)."""
        real = [e for e in self.edits if not e.empty]
        return real[0].media_time if real else 0.0


def _boxes(data: bytes, start: int = 0, end: Optional[int] = None) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes in data[start:end]; stops at a broken one."""
    end = len(data) if end is None else end
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        header = 8
        if size == 1:
            if offset + 16 > end:
                return
            size = struct.unpack(">Q", data[offset + 8:offset + 16])[0]
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            return
        yield kind, offset + header, offset + size
        offset += size


def _full_box(data: bytes, start: int) -> tuple[int, int]:
    """(version, payload start after version and flags) of a full box."""
    return data[start], start + 4


def _timescale(data: bytes, start: int) -> int:
    """The timescale of an `mvhd` or `mdhd` box (same layout up to it)."""
    version, at = _full_box(data, start)
    at += 16 if version == 1 else 8  # creation and modification times
    return struct.unpack(">I", data[at:at + 4])[0]


def _elst(data: bytes, start: int, movie_scale: int, media_scale: int) -> tuple[Edit, ...]:
    version, at = _full_box(data, start)
    count = struct.unpack(">I", data[at:at + 4])[0]
    at += 4
    layout, width = (">Qq", 16) if version == 1 else (">Ii", 8)
    edits = []
    for _ in range(min(count, 4096)):
        if at + width + 4 > len(data):
            break
        duration, media_time = struct.unpack(layout, data[at:at + width])
        whole, fraction = struct.unpack(">hH", data[at + width:at + width + 4])
        at += width + 4
        edits.append(Edit(duration=duration / max(movie_scale, 1),
                          media_time=-1.0 if media_time < 0 else media_time / max(media_scale, 1),
                          rate=whole + fraction / 65536))
    return tuple(edits)


def tracks_of_moov(moov: bytes) -> list[Track]:
    """The tracks of a `moov` box's payload, in file order."""
    movie_scale = 1
    tracks = []
    for kind, start, end in _boxes(moov):
        if kind == b"mvhd":
            movie_scale = _timescale(moov, start)
        elif kind == b"trak":
            tracks.append((start, end))
    return [_track(moov, start, end, movie_scale) for start, end in tracks]


def _track(data: bytes, start: int, end: int, movie_scale: int) -> Track:
    handler, media_scale, elst = "", 1, None
    for kind, s, e in _boxes(data, start, end):
        if kind == b"edts":
            elst = next(((s2, e2) for k2, s2, e2 in _boxes(data, s, e) if k2 == b"elst"), None)
        elif kind == b"mdia":
            for k2, s2, _ in _boxes(data, s, e):
                if k2 == b"mdhd":
                    media_scale = _timescale(data, s2)
                elif k2 == b"hdlr":
                    handler = data[s2 + 8:s2 + 12].decode("latin-1")
    edits = _elst(data, elst[0], movie_scale, media_scale) if elst else ()
    return Track(handler=handler, timescale=media_scale, edits=edits)


def read_tracks(read_at: Callable[[int, int], bytes], moov_payload: tuple[int, int]) -> list[Track]:
    """The tracks of the `moov` whose payload is at [start, end) of a file."""
    start, end = moov_payload
    return tracks_of_moov(read_at(start, end - start))
