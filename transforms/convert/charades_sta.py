"""Charades-STA sentence lines -> manifest rows. Pure.

Each line is `VIDEO START END##sentence` (`AO8RW 0.0 6.9##a person puts a book on a shelf.`),
times in seconds; the lines of one video become one row, each sentence an annotation with
`text`. A video with one bad line is not converted: its answer would miss that event.
"""
from __future__ import annotations

from transforms.convert.shared import Conversion, ConvertError, ItemError, Settings, manifest_row, span

DEFAULT_PROMPT = "Describe every action in this video, each with its start and end as MM:SS."


def convert(data: bytes, source: str, settings: Settings) -> Conversion:
    out = Conversion()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        out.fail(source, f"not a UTF-8 text file: {err}")
        return out
    events: dict[str, list[dict]] = {}
    first_line: dict[str, str] = {}
    bad: dict[str, list[ConvertError]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        place = f"{source}:{number}"
        head, sep, sentence = line.partition("##")
        parts = head.split()
        video = parts[0] if parts else ""
        try:
            if not sep or len(parts) != 3 or not sentence.strip():
                raise ItemError(place, f"{line.strip()[:80]!r} is not `VIDEO START END##sentence`")
            start, end = span(parts[1], parts[2], "the moment", place)
        except ItemError as err:
            bad.setdefault(video, []).append(ConvertError(err.place, err.detail))
            continue
        first_line.setdefault(video, place)
        events.setdefault(video, []).append({"start": start, "end": end, "text": sentence.strip()})
    for video in dict.fromkeys(list(events) + list(bad)):
        if video in bad:
            out.errors.extend(bad[video])
            if video and video in events:
                out.fail(f"{source}: video {video!r}", "not converted: a line of it could not be read (see above)")
            continue
        uri = settings.videos.find([video])
        if isinstance(uri, ConvertError):
            out.fail(f"{first_line[video]} video {video!r}", uri.detail)
            continue
        out.rows.append(manifest_row(f"charades-sta-{video}", uri, settings.prompt or DEFAULT_PROMPT, events[video]))
    return out
