"""SubRip (.srt) subtitles -> one manifest row per file, each cue an annotation with `text`. Pure.

A cue is an optional number line, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, then its text lines,
blocks separated by a blank line. Formatting tags (`<i>`, `<font ...>`) are removed.
"""
from __future__ import annotations

from transforms.convert.shared import Conversion, ItemError, Settings
from transforms.convert.subtitles import blocks, clock, convert_file, cue


def convert(data: bytes, path: str, relative_path: str, settings: Settings) -> Conversion:
    return convert_file(data, path, relative_path, settings, "srt", read_cues)


def read_cues(text: str, path: str, out: Conversion) -> list[dict]:
    cues = []
    for number, lines in blocks(text):
        timing_at = 1 if lines[0].strip().isdigit() and len(lines) > 1 else 0
        place = f"{path}:{number + timing_at}"
        start, end = _timing(lines[timing_at])
        if start is None:
            raise ItemError(place, f"{lines[timing_at].strip()[:80]!r} is not a cue's timing line "
                                   "(`HH:MM:SS,mmm --> HH:MM:SS,mmm`)")
        annotation = cue(start, end, lines[timing_at + 1:], place, out)
        if annotation:
            cues.append(annotation)
    return cues


def _timing(line: str):
    first, arrow, rest = line.partition("-->")
    if not arrow:
        return None, None
    # Some tools write a period, as WebVTT does: accept both, as players do.
    start = clock(first, ",.")
    end = clock(rest.split()[0] if rest.split() else "", ",.")
    return (start, end) if start is not None and end is not None else (None, None)
