"""WebVTT (.vtt) subtitles -> one manifest row per file, each cue an annotation with `text`. Pure.

The file starts with `WEBVTT`; a cue is an optional identifier line, `[HH:]MM:SS.mmm -->
[HH:]MM:SS.mmm [settings]`, then its payload. `NOTE`, `STYLE` and `REGION` blocks are not
cues. Tags are removed; a `<v Speaker>` voice is kept as the annotation's `speaker`.
"""
from __future__ import annotations

from transforms.convert.shared import Conversion, ItemError, Settings
from transforms.convert.subtitles import blocks, clock, convert_file, cue

_NOT_CUES = ("NOTE", "STYLE", "REGION")


def convert(data: bytes, path: str, relative_path: str, settings: Settings) -> Conversion:
    return convert_file(data, path, relative_path, settings, "webvtt", read_cues)


def read_cues(text: str, path: str, out: Conversion) -> list[dict]:
    found = list(blocks(text))
    first = found[0][1][0] if found else ""
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise ItemError(f"{path}:1", "a WebVTT file starts with the line `WEBVTT`")
    cues = []
    for number, lines in found[1:]:
        if lines[0].split(None, 1)[0] in _NOT_CUES and "-->" not in lines[0]:
            continue
        timing_at = 0 if "-->" in lines[0] else 1
        place = f"{path}:{number + timing_at}"
        start, end = _timing(lines[timing_at]) if timing_at < len(lines) else (None, None)
        if start is None:
            shown = lines[timing_at] if timing_at < len(lines) else lines[0]
            raise ItemError(place, f"{shown.strip()[:80]!r} is not a cue's timing line "
                                   "(`HH:MM:SS.mmm --> HH:MM:SS.mmm`)")
        annotation = cue(start, end, lines[timing_at + 1:], place, out)
        if annotation:
            cues.append(annotation)
    return cues


def _timing(line: str):
    first, arrow, rest = line.partition("-->")
    parts = rest.split()
    if not arrow or not parts:
        return None, None
    start, end = clock(first, "."), clock(parts[0], ".")
    return (start, end) if start is not None and end is not None else (None, None)
