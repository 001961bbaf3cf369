"""The part SRT and WebVTT share: cue blocks, their text, and one row per subtitle file. Pure.

Strict on purpose: the `srt` library folds a cue with a broken timing line into the text of
the cue before it, and webvtt-py 0.6 leaves such a cue out without a word (and rounds
`start_in_seconds` down to whole seconds). Here every block that is not a cue is an error
with its line, and the file's row is not written: a subtitle track with a hole in it is not
the captioning answer.
"""
from __future__ import annotations

import html
import posixpath
import re
from typing import Callable, Iterator, Optional

from transforms.convert.shared import Conversion, ConvertError, ItemError, Settings, manifest_row

DEFAULT_PROMPT = "Write the subtitles of this video: every line that is said, with its start and end as MM:SS."
_TAG = re.compile(r"<[^>]*>")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
# A trailing language code, as in `film.en.srt` or `film.pt-BR.vtt`.
_LANGUAGE = re.compile(r"^(.+)\.[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")


def blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, lines) of each run of non-blank lines."""
    start, lines = 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line.rstrip())
        elif lines:
            yield start, lines
            lines = []
    if lines:
        yield start, lines


def clock(text: str, decimal: str) -> Optional[float]:
    """`HH:MM:SS<decimal>mmm` (hours optional), as seconds; None when it is not one."""
    match = re.fullmatch(r"(?:(\d+):)?([0-5]?\d):([0-5]\d)[" + re.escape(decimal) + r"](\d{1,3})", text.strip())
    if not match:
        return None
    hours, minutes, secs, millis = match.groups()
    return round(int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + int(millis.ljust(3, "0")) / 1000, 3)


def cue_text(lines: list[str]) -> tuple[str, Optional[str]]:
    """The cue's plain text (tags removed, entities decoded) and its WebVTT voice, if any."""
    raw = "\n".join(lines)
    voice = _VOICE.search(raw)
    return html.unescape(_TAG.sub("", raw)).strip(), (voice.group(1).strip() if voice else None)


def video_names(relative_path: str) -> list[str]:
    """The names the subtitle file's video may have: its path's stem, its stem, less a language code."""
    stem_path = posixpath.splitext(relative_path)[0]
    stem = posixpath.basename(stem_path)
    names = [stem_path, stem]
    language = _LANGUAGE.match(stem)
    if language:
        names.append(language.group(1))
    return list(dict.fromkeys(names))


def convert_file(data: bytes, path: str, relative_path: str, settings: Settings, fmt: str,
                 read_cues: Callable[[str, str, Conversion], list[dict]]) -> Conversion:
    """One subtitle file -> one row; `read_cues` is the format's own parser (raises ItemError)."""
    out = Conversion()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        out.fail(path, f"not a UTF-8 text file ({err}); re-save it as UTF-8")
        return out
    try:
        cues = read_cues(text, path, out)
        if not cues:
            raise ItemError(path, "the file has no cue")
        uri = settings.videos.find(video_names(relative_path))
        if isinstance(uri, ConvertError):
            raise ItemError(path, uri.detail)
    except ItemError as err:
        out.fail(err.place, err.detail)
        return out
    row_id = f"{fmt}-" + posixpath.splitext(relative_path)[0]
    out.rows.append(manifest_row(row_id, uri, settings.prompt or DEFAULT_PROMPT, cues))
    return out


def cue(start: float, end: float, lines: list[str], place: str, out: Conversion) -> Optional[dict]:
    """The annotation of one cue; None (reported) for a cue with no text, which shows nothing."""
    if end < start:
        raise ItemError(place, f"the cue ends ({end}s) before it starts ({start}s)")
    text, voice = cue_text(lines)
    if not text:
        out.fail(place, "the cue has no text: left out (it shows nothing)")
        return None
    annotation = {"start": start, "end": end, "text": text}
    if voice:
        annotation["speaker"] = voice
    return annotation
