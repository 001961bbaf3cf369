"""Repair mode: an existing Gemini tuning example read as a manifest row, and its answer re-timed. Pure.

A line with `contents` is a tuning example. Its video part gives the source and (through
`videoMetadata`) the segment; its user text the prompt; its model text the answer, whose
timestamps (`MM:SS`, `HH:MM:SS`, `M:SS`, fractions allowed, in free text or inside JSON) become
annotations. The answer is split into items (JSON array elements, or lines of free text); an
item without timestamps goes to every clip, and each timestamp is rewritten relative to the clip
that holds it, in its own style. A JSON item goes to every clip its time span touches, its times
clipped to the clip (an interval that straddles a cut is still an interval in each). A line of
free text is a statement that cannot be clipped honestly ("yellow from 04:50 to 04:50" would teach
an event the clip does not show): it goes only to a clip that holds all its times, and a row with a
line that no clip holds whole is dropped (`answer_not_splittable`, see `unsplittable_items`).

Which timeline the answer's times count on: `video` (default; since the first frame of the
referenced file, which is how the service's frame timestamps count) or `segment` (since the
example's `startOffset`).
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional, Sequence, Union

from transforms.core.manifest import SPLITS
from transforms.core.uris import resolve_uri
from transforms.gemini.profiles import parse_resolution
from transforms.core.timecode import TimeFormatError, parse_video_offset
from transforms.core.errors import DropError
from transforms.core.types import Annotation, Drop, DropReason, ManifestRow, Stage

# H:MM:SS / HH:MM:SS, or M:SS / MM:SS (minutes may run past 59), each with optional fraction.
# Digits or a colon right next to it mean it is part of something else (a ratio, a clock with days).
TIMESTAMP_RE = re.compile(r"(?<![\d:.])(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)(?:\.(\d{1,3}))?(?![\d:])")
_FENCE_RE = re.compile(r"^(\s*```(?:json)?\s*\n)(.*?)(\n\s*```\s*)$", re.DOTALL)
_EPS = 1e-6


def is_tuning_example(raw: dict) -> bool:
    return "contents" in raw


def timestamps(text: str) -> list[tuple[re.Match, float]]:
    found = []
    for match in TIMESTAMP_RE.finditer(text):
        hours, minutes, seconds, frac = match.groups()
        value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + (float(f"0.{frac}") if frac else 0.0)
        found.append((match, value))
    return found


def format_like(match: re.Match, seconds: float) -> str:
    """`seconds` spelled the way the matched timestamp was: hours or not, padded minutes or not, decimals."""
    hours, minutes, _, frac = match.groups()
    decimals = len(frac) if frac else 0
    scale = 10 ** decimals
    ticks = round(max(seconds, 0.0) * scale)
    whole, part = divmod(ticks, scale)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    tail = f"{s:02d}" + (f".{part:0{decimals}d}" if decimals else "")
    if hours is not None:
        return f"{h:0{len(hours)}d}:{m:02d}:{tail}"
    m += h * 60
    return f"{m:0{min(len(minutes), 2)}d}:{tail}"


def _retime_text(text: str, shift: float, length: float) -> str:
    """Every timestamp in `text` moved back by `shift` and held inside [0, length]."""
    def replace(match: re.Match) -> str:
        value = [v for m, v in timestamps(match.group(0))][0]
        return format_like(match, min(max(value - shift, 0.0), length))
    return TIMESTAMP_RE.sub(replace, text)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def _map_strings(value: Any, fn) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    return value


def _split_answer(answer: str) -> dict[str, Any]:
    """The answer as items: the elements of a JSON array (fenced or bare), else its lines."""
    fence = _FENCE_RE.match(answer)
    body = fence.group(2) if fence else answer
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        value = None
    if isinstance(value, list):
        return {"kind": "json", "answer": answer, "items": value,
                "prefix": fence.group(1) if fence else "", "suffix": fence.group(3) if fence else ""}
    return {"kind": "text", "answer": answer, "items": answer.splitlines(keepends=True)}


def _item_texts(template: dict[str, Any], item: Any) -> list[str]:
    return [item] if template["kind"] == "text" else _strings(item)


def original_answer(template: str) -> str:
    """The whole answer: an upper bound of any clip's (a JSON answer is re-serialised, maybe longer)."""
    value = json.loads(template)
    if value["kind"] != "json":
        return value["answer"]
    rendered = value["prefix"] + json.dumps(value["items"], ensure_ascii=False) + value["suffix"]
    return max(value["answer"], rendered, key=len)


def answer_annotations(template: dict[str, Any], offset: float) -> tuple[Annotation, ...]:
    """One annotation per item that carries timestamps, spanning them, on the source's timeline."""
    result = []
    for i, item in enumerate(template["items"]):
        times = [offset + v for text in _item_texts(template, item) for _, v in timestamps(text)]
        if times:
            lo, hi = min(times), max(times)
            result.append(Annotation(start=lo, end=hi if hi > lo else None, fields={"item": i}))
    return tuple(result)


# How far past the video's first or last frame a time may lie and still count as inside (as planning's).
_EDGE_TOLERANCE = 1.0


def unsplittable_items(template_json: str, clips: Sequence[tuple[float, float]]) -> list[int]:
    """The free-text items (lines) with times that no single clip holds whole; [] for JSON answers.

    `clips` are where the clips really are on the source's timeline (as cut, measured), in order.
    Inside means within the clip, give or take a rounding epsilon at a cut, and `_EDGE_TOLERANCE`
    before the first clip or after the last (times written in whole seconds round up).
    """
    template = json.loads(template_json)
    if template["kind"] != "text" or not clips:
        return []
    first, last = clips[0][0], clips[-1][1]
    stuck = []
    for i, item in enumerate(template["items"]):
        times = [template["offset"] + v for _, v in timestamps(item)]
        if not times:
            continue
        lo, hi = min(times), max(times)
        if not any((start - _EDGE_TOLERANCE if start == first else start - _EPS) <= lo
                   and hi <= (end + _EDGE_TOLERANCE if end == last else end + _EPS)
                   for start, end in clips):
            stuck.append(i)
    return stuck


def item_text(template_json: str, index: int) -> str:
    """One item of an answer as written (for a drop's detail)."""
    return str(json.loads(template_json)["items"][index]).strip()


def render_answer(template_json: str, held: Sequence[Annotation], clip_start: float, clip_end: float) -> str:
    """The answer for one clip: the items it holds (and those without times), timestamps re-timed.

    Free text is only re-timed, never clipped: callers drop a row whose `unsplittable_items` is not
    empty, so every line of free text that reaches a clip lies inside it (the hold inside [0, length]
    below only absorbs rounding and the edge tolerance).
    """
    template = json.loads(template_json)
    kept = {a.fields["item"] for a in held}
    # The template's times are on the source timeline minus `offset` (the segment start for
    # `segment` timelines): undo that, then move onto the clip.
    shift = clip_start - template["offset"]
    length = clip_end - clip_start
    items = []
    for i, item in enumerate(template["items"]):
        has_times = any(timestamps(t) for t in _item_texts(template, item))
        if has_times and i not in kept:
            continue
        if template["kind"] == "text":
            items.append(_retime_text(item, shift, length))
        else:
            items.append(_map_strings(item, lambda s: _retime_text(s, shift, length)))
    if template["kind"] == "text":
        return "".join(items).rstrip("\n") if not template["answer"].endswith("\n") else "".join(items)
    return template["prefix"] + json.dumps(items, ensure_ascii=False) + template["suffix"]


def row_from_example(raw: dict, location: str, manifest_dir: str, row_id: str,
                     timeline: str = "video") -> Union[ManifestRow, Drop]:
    """A ManifestRow that rebuilds this example within the limits, or a Drop saying what is wrong."""
    try:
        return _row(raw, location, manifest_dir, row_id, timeline)
    except DropError as err:
        file_data = _video_part(raw.get("contents")).get("fileData")
        uri = file_data.get("fileUri") if isinstance(file_data, dict) else ""
        return Drop(row_id=row_id, source_uri=uri if isinstance(uri, str) else "", stage=Stage.READ,
                    reason=err.reason, detail=err.detail, location=location)


# A line is untrusted JSON: any field may hold any type. These read it without assuming one.

def _parts(content: Any) -> list:
    parts = content.get("parts") if isinstance(content, dict) else None
    return parts if isinstance(parts, list) else []


def _object(part: dict, name: str) -> dict:
    """part[name] as an object ({} when absent); MALFORMED_ROW when it is something else."""
    value = part.get(name)
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise DropError(DropReason.MALFORMED_ROW,
                        f"`{name}` of the video part is a JSON {type(value).__name__}, not an object")
    return value


def _video_part(contents: Any) -> dict:
    for content in contents if isinstance(contents, list) else ():
        if isinstance(content, dict) and content.get("role") == "user":
            for part in _parts(content):
                if isinstance(part, dict) and "fileData" in part:
                    return part
    return {}


def _texts(contents: list, role: str) -> list[str]:
    return [part["text"] for content in contents if isinstance(content, dict) and content.get("role") == role
            for part in _parts(content) if isinstance(part, dict) and isinstance(part.get("text"), str)]


def _offset(metadata: dict, name: str) -> Optional[float]:
    try:
        return parse_video_offset(metadata.get(name))
    except TimeFormatError as err:
        raise DropError(DropReason.BAD_TIME, f"videoMetadata.{name}: {err}") from None


def _row(raw: dict, location: str, manifest_dir: str, row_id: str, timeline: str) -> ManifestRow:
    contents = raw.get("contents")
    if not isinstance(contents, list) or not contents:
        raise DropError(DropReason.MALFORMED_ROW, "`contents` must be a non-empty list of {role, parts}")
    if any(isinstance(c, dict) and "parts" in c and not isinstance(c["parts"], list) for c in contents):
        raise DropError(DropReason.MALFORMED_ROW, "a content's `parts` must be a list")
    videos = [p for c in contents for p in _parts(c) if isinstance(p, dict) and "fileData" in p]
    if len(videos) != 1:
        raise DropError(DropReason.MALFORMED_ROW,
                           f"a tuning example takes exactly one video, this one has {len(videos)}; "
                           "split it into one example per video")
    part = _video_part(contents)
    uri = _object(part, "fileData").get("fileUri")
    if not isinstance(uri, str) or not uri:
        raise DropError(DropReason.MISSING_FIELD, "the video part has no `fileData.fileUri`")
    prompt = "\n".join(_texts(contents, "user"))
    if not prompt.strip():
        raise DropError(DropReason.MISSING_FIELD, "the user turn has no text prompt")
    answers = _texts(contents, "model")
    if not answers:
        raise DropError(DropReason.NO_TARGET, "the example has no model answer")
    metadata = _object(part, "videoMetadata")
    start, end = _offset(metadata, "startOffset"), _offset(metadata, "endOffset")
    if start is not None and end is not None and end <= start:
        raise DropError(DropReason.BAD_RANGE, f"videoMetadata endOffset {end}s is not after startOffset {start}s")
    fps = metadata.get("fps")
    if fps is not None and not (isinstance(fps, (int, float)) and not isinstance(fps, bool) and 0 < fps <= 24):
        raise DropError(DropReason.MALFORMED_ROW, f"videoMetadata.fps is {fps!r}; it must be in (0, 24]")
    # Only a part's own level is the row's: generationConfig is the dataset's, which --media_resolution sets.
    level = _object(part, "mediaResolution").get("level")
    resolution = parse_resolution(level) if level not in (None, "") else None
    if level not in (None, "") and resolution is None:
        raise DropError(DropReason.MALFORMED_ROW, f"mediaResolution {level!r} is not LOW, MEDIUM or HIGH")

    answer = "\n".join(answers)
    template = _split_answer(answer)
    offset = (start or 0.0) if timeline == "segment" else 0.0
    template["offset"] = offset
    annotations = answer_annotations(template, offset)
    split = raw.get("split")
    if split not in (None, "") and str(split).lower() not in SPLITS:
        raise DropError(DropReason.MALFORMED_ROW, f"`split` is {split!r}; use 'train' or 'validation'")
    common = dict(row_id=row_id, video_uri=resolve_uri(uri, manifest_dir), prompt=prompt, start=start, end=end,
                  location=location, split=SPLITS.get(str(split).lower()) if split else None,
                  media_resolution=resolution, fps=float(fps) if fps is not None else None)
    if not annotations:
        # No time in the answer: nothing says which part of the video it describes, so it cannot be
        # split honestly. It stays one example (a fixed response), or is dropped if it needs two.
        return ManifestRow(response=answer, **common)
    for ann in annotations:
        last = ann.end if ann.end is not None else ann.start
        if start is not None and ann.start < start - _EPS or end is not None and last > end + 1.0:
            raise DropError(DropReason.ANNOTATION_OUT_OF_RANGE,
                               f"the answer names {ann.start:.3f}s..{last:.3f}s, outside the example's segment "
                               f"{start or 0}s..{end if end is not None else 'end'}"
                               + ("" if timeline == "segment" else
                                  "; if its times count from startOffset, run with --repair_timeline segment"))
    return ManifestRow(annotations=annotations, **common,
                       answer_template=json.dumps(template, ensure_ascii=False))  # key order kept: the answer's
