"""Turn manifest records (JSONL, CSV or Parquet) into ManifestRows or drop records.

Pure functions only; `read_manifest.py` wires them into Beam.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from typing import Any, Iterator, Optional, Union

from transforms.core.conversation import ConversationError, parse_system_instruction, parse_turns
from transforms.core.oversize import MODES, parse_mode
from transforms.gemini.profiles import parse_resolution
from transforms.core.timecode import TimeFormatError, parse_time
from transforms.core.errors import DropError
from transforms.core.uris import resolve_uri
from transforms.core.types import Annotation, Drop, DropReason, ManifestRow, Stage

SPLITS = {"train": "train", "training": "train", "validation": "validation",
          "valid": "validation", "val": "validation"}

Record = Union[dict, Drop]
# csv's field size limit is one per process; raised under this lock, so threads only ever raise it.
_FIELD_LIMIT_LOCK = threading.Lock()


def manifest_format(path: str) -> str:
    lower = path.lower()
    for suffix, fmt in ((".jsonl", "jsonl"), (".json", "jsonl"), (".ndjson", "jsonl"),
                        (".csv", "csv"), (".parquet", "parquet"), (".pq", "parquet")):
        if lower.endswith(suffix):
            return fmt
    raise ValueError(f"cannot tell the format of manifest {path!r}: name it .jsonl, .csv or .parquet")


def iter_records(path: str, data: bytes) -> Iterator[tuple[str, Record]]:
    """(location, raw dict or Drop) for every record in one manifest file's bytes. Never raises.

    A record that cannot even be decoded becomes a Drop here, so that every line counts. A file
    that cannot be parsed at all, or past some point, gives the records before that point and then
    one `unreadable_manifest` Drop for the rest: the rows already read still count.
    """
    try:
        fmt = manifest_format(path)
    except ValueError as err:
        yield path, _unreadable(path, str(err))
        return
    records = {"jsonl": _iter_jsonl, "csv": _iter_csv, "parquet": _iter_parquet}[fmt](path, data)
    read = 0
    try:
        for location, record in records:
            read += 1
            yield location, record
    except (csv.Error, ValueError) as err:  # the bytes are in memory: only their content fails here
        where = f"after record {read}" if read else "at its start"
        yield path, _unreadable(path, f"cannot parse the manifest {where}: {type(err).__name__}: {err}")


def _unreadable(location: str, detail: str) -> Drop:
    return Drop(row_id=location, source_uri="", stage=Stage.READ, reason=DropReason.UNREADABLE_MANIFEST,
                detail=f"{detail}; check the file and its format", location=location)


def _malformed(location: str, detail: str) -> Drop:
    return Drop(row_id=location, source_uri="", stage=Stage.READ,
                reason=DropReason.MALFORMED_ROW, detail=detail, location=location)


def _iter_jsonl(path: str, data: bytes) -> Iterator[tuple[str, Record]]:
    for number, raw_line in enumerate(data.splitlines(), start=1):
        location = f"{path}:{number}"
        if not raw_line.strip():
            continue  # blank lines are layout, not rows
        try:
            text = raw_line.decode("utf-8")
        except UnicodeDecodeError as err:
            yield location, _malformed(location, f"line is not UTF-8 ({err}); re-save the manifest as UTF-8")
            continue
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as err:  # RecursionError: nested too deep
            yield location, _malformed(location, f"line is not valid JSON: {err}")
            continue
        if not isinstance(value, dict):
            yield location, _malformed(location, f"line is a JSON {type(value).__name__}, not an object")
            continue
        yield location, value


def _iter_csv(path: str, data: bytes) -> Iterator[tuple[str, Record]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        yield f"{path}:1", _malformed(f"{path}:1", f"CSV file is not UTF-8 ({err}); re-save it as UTF-8")
        return
    # csv refuses fields over 131,072 characters, and cannot go on after refusing one (the rest of
    # a quoted field would be read as rows). No field is longer than the file: raise the limit to it.
    with _FIELD_LIMIT_LOCK:
        csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for number, row in enumerate(reader, start=2):  # line 1 is the header
        location = f"{path}:{number}"
        if None in row:
            yield location, _malformed(location, "row has more cells than the header has columns")
            continue
        record = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
        if "annotations" in record:
            try:
                record["annotations"] = json.loads(record["annotations"])
            except (json.JSONDecodeError, RecursionError) as err:
                yield location, _malformed(location, f"`annotations` cell is not a JSON list: {err}")
                continue
        yield location, record


def _iter_parquet(path: str, data: bytes) -> Iterator[tuple[str, Record]]:
    import pyarrow.parquet as pq  # a heavy import only Parquet manifests pay for

    import pyarrow as pa

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as err:  # in memory: the bytes are not Parquet, or damaged
        raise ValueError(f"not a readable Parquet file: {err}") from None
    for number, row in enumerate(table.to_pylist(), start=1):
        record = {k: v for k, v in row.items() if v is not None}
        if isinstance(record.get("annotations"), str):
            try:
                record["annotations"] = json.loads(record["annotations"])
            except (json.JSONDecodeError, RecursionError) as err:
                yield f"{path}#{number}", _malformed(f"{path}#{number}", f"`annotations` is not a JSON list: {err}")
                continue
        yield f"{path}#{number}", record


def row_id_of(raw: dict) -> str:
    """The row's own `id`, or a stable one derived from its content."""
    return str(raw["id"]) if raw.get("id") not in (None, "") else derived_row_id(raw)


def derived_row_id(raw: dict) -> str:
    """A stable id from the row's content, for rows that bring none."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return "row-" + hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def parse_row(raw: dict, location: str, manifest_dir: str,
              default_prompt: Optional[str] = None) -> Union[ManifestRow, Drop]:
    """A ManifestRow, or a Drop that says what is wrong with the row and how to fix it."""
    row_id = row_id_of(raw)
    video_uri = raw.get("video_uri")
    source = resolve_uri(video_uri, manifest_dir) if isinstance(video_uri, str) and video_uri else ""
    try:
        if raw.get("video_uris") is not None:
            return _parse_videos(raw, row_id, location, manifest_dir, default_prompt)
        return _parse(raw, row_id, source, location, default_prompt)
    except DropError as err:
        return Drop(row_id=row_id, source_uri=source, stage=Stage.READ, reason=err.reason,
                    detail=err.detail, location=location)


def _parse(raw: dict, row_id: str, source: str, location: str,
           default_prompt: Optional[str]) -> ManifestRow:
    if not source:
        raise DropError(DropReason.MISSING_FIELD, "`video_uri` is missing or empty")
    turns = _turns(raw)
    prompt = turns[0][1] if turns else raw.get("prompt", default_prompt)
    if not isinstance(prompt, str) or not prompt.strip():
        raise DropError(DropReason.MISSING_FIELD, "`prompt` is missing or empty; add it or pass --prompt")
    start = _time(raw, "start")
    end = _time(raw, "end")
    if start is not None and end is not None and end <= start:
        raise DropError(DropReason.BAD_RANGE, f"segment end {end}s is not after its start {start}s")
    annotations = _annotations(raw.get("annotations"), start, end)
    response = turns[1][1] if turns else _response(raw.get("response"))
    if annotations is not None and response is not None:
        raise DropError(DropReason.AMBIGUOUS_TARGET,
                        "row has both `annotations` and `response`; keep the one the model should answer")
    if annotations is None and response is None:
        raise DropError(DropReason.NO_TARGET,
                        "row has neither `annotations` nor `response`; give the model something to answer "
                        "(`annotations: []` means 'no events')")
    split = raw.get("split")
    if split is not None:
        if str(split).lower() not in SPLITS:
            raise DropError(DropReason.MALFORMED_ROW, f"`split` is {split!r}; use 'train' or 'validation'")
        split = SPLITS[str(split).lower()]
    resolution = raw.get("media_resolution")
    if resolution not in (None, ""):
        if parse_resolution(resolution) is None:
            raise DropError(DropReason.MALFORMED_ROW,
                            f"`media_resolution` is {resolution!r}; use LOW, MEDIUM or HIGH")
        resolution = parse_resolution(resolution)
    else:
        resolution = None
    return ManifestRow(row_id=row_id, video_uri=source, prompt=prompt, annotations=annotations,
                       response=response, start=start, end=end, split=split, location=location,
                       media_resolution=resolution, oversize=_oversize(raw), turns=turns[2:],
                       system_instruction=_system_instruction(raw))


def _parse_videos(raw: dict, row_id: str, location: str, manifest_dir: str,
                  default_prompt: Optional[str]) -> ManifestRow:
    """A row of several videos (`video_uris`); one video in the list is an ordinary row."""
    if raw.get("video_uri") not in (None, ""):
        raise DropError(DropReason.MALFORMED_ROW,
                        "row has both `video_uri` and `video_uris`; keep `video_uris` for several videos")
    videos = parse_video_uris(raw["video_uris"], manifest_dir)
    first_uri, first_resolution = videos[0]
    if len(videos) == 1:  # nothing to join: the ordinary path, its resolution as the row's own
        one = dict(raw, video_uri=first_uri)
        del one["video_uris"]
        if first_resolution:
            one["media_resolution"] = first_resolution
        return _parse(one, row_id, first_uri, location, default_prompt)
    for name, why in (("annotations", "timed `annotations` cannot say which video their times are on"),
                      ("start", "`start`/`end` would apply to one video only"),
                      ("end", "`start`/`end` would apply to one video only")):
        if raw.get(name) not in (None, ""):
            raise DropError(DropReason.MALFORMED_ROW,
                            f"a row with several videos takes `response` or `turns`, whole videos: {why}; "
                            "give each timed task its own row with one `video_uri`")
    row = _parse(dict(raw, video_uri=first_uri), row_id, first_uri, location, default_prompt)
    return row.model_copy(update={"videos": videos})


def parse_video_uris(value: Any, manifest_dir: str) -> tuple[tuple[str, Optional[str]], ...]:
    """`video_uris`: a list of URIs, or of {"uri", "media_resolution"} objects -> ((uri, level), ...).

    A CSV cell (or a Parquet string) holds the list as JSON.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (json.JSONDecodeError, RecursionError) as err:
            raise DropError(DropReason.MALFORMED_ROW, f"`video_uris` is not a JSON list: {err}") from None
    if not isinstance(value, list) or not value:
        raise DropError(DropReason.MALFORMED_ROW, "`video_uris` must be a non-empty list of video URIs")
    videos = []
    for i, item in enumerate(value):
        uri, level = (item, None) if isinstance(item, str) else (
            (item.get("uri"), item.get("media_resolution")) if isinstance(item, dict) else (None, None))
        if not isinstance(uri, str) or not uri.strip():
            raise DropError(DropReason.MALFORMED_ROW,
                            f"`video_uris` item {i} is {item!r}; give a URI, or {{\"uri\": ..., "
                            "\"media_resolution\": ...}")
        if isinstance(item, dict) and set(item) - {"uri", "media_resolution"}:
            raise DropError(DropReason.MALFORMED_ROW, f"`video_uris` item {i} has unknown keys "
                            f"{sorted(set(item) - {'uri', 'media_resolution'})}; use `uri` and `media_resolution`")
        if level not in (None, "") and parse_resolution(level) is None:
            raise DropError(DropReason.MALFORMED_ROW,
                            f"`video_uris` item {i}: `media_resolution` is {level!r}; use LOW, MEDIUM or HIGH")
        videos.append((resolve_uri(uri, manifest_dir), parse_resolution(level) if level else None))
    return tuple(videos)


def _oversize(raw: dict) -> Optional[str]:
    value = raw.get("oversize")
    if value in (None, ""):
        return None
    mode = parse_mode(value)
    if mode is None:
        raise DropError(DropReason.MALFORMED_ROW, f"`oversize` is {value!r}; use {', '.join(MODES)}")
    return mode


def _turns(raw: dict) -> tuple[tuple[str, str], ...]:
    """The row's conversation; a row with `turns` must not also give a prompt or a target."""
    if raw.get("turns") is None:
        return ()
    clash = [k for k in ("prompt", "response", "annotations") if raw.get(k) is not None]
    if clash:
        raise DropError(DropReason.AMBIGUOUS_TARGET,
                        f"row has `turns` and `{clash[0]}`; `turns` holds the whole conversation, "
                        "the first turn the prompt: keep one of them")
    try:
        return parse_turns(raw["turns"])
    except ConversationError as err:
        raise DropError(DropReason.MALFORMED_ROW, str(err)) from None


def _system_instruction(raw: dict) -> Optional[str]:
    try:
        return parse_system_instruction(raw.get("system_instruction"))
    except ConversationError as err:
        raise DropError(DropReason.MALFORMED_ROW, str(err)) from None


def _time(raw: dict, name: str) -> Optional[float]:
    if raw.get(name) in (None, ""):
        return None
    try:
        return parse_time(raw[name])
    except TimeFormatError as err:
        raise DropError(DropReason.BAD_TIME, f"`{name}`: {err}") from None


def _annotations(value: Any, seg_start: Optional[float],
                 seg_end: Optional[float]) -> Optional[tuple[Annotation, ...]]:
    if value is None:
        return None
    if not isinstance(value, list):
        raise DropError(DropReason.MALFORMED_ROW, f"`annotations` must be a list, got {type(value).__name__}")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise DropError(DropReason.MALFORMED_ROW, f"annotation {i} is not an object")
        start_frame, end_frame = _frames(item, i)
        if item.get("start") in (None, "") and start_frame is None:
            raise DropError(DropReason.MISSING_FIELD, f"annotation {i} has no `start` (or `start_frame`)")
        try:
            start = 0.0 if start_frame is not None else parse_time(item["start"])
            end = None if item.get("end") in (None, "") else parse_time(item["end"])
        except TimeFormatError as err:
            raise DropError(DropReason.BAD_TIME, f"annotation {i}: {err}") from None
        if end is not None and end < start:
            raise DropError(DropReason.BAD_RANGE, f"annotation {i} ends ({end}s) before it starts ({start}s)")
        # Frame numbers become times only after probing; the plan stage checks them then.
        in_frames = start_frame is not None or end_frame is not None
        if not in_frames and (seg_start is not None and start < seg_start
                              or seg_end is not None and (end or start) > seg_end):
            raise DropError(DropReason.ANNOTATION_OUT_OF_RANGE,
                            f"annotation {i} ({start}s..{end if end is not None else start}s) lies outside "
                            f"the row's segment {seg_start or 0}s..{seg_end if seg_end is not None else 'end'}; "
                            "annotation times are on the source's timeline")
        fields = {k: v for k, v in item.items() if k not in _POSITION_FIELDS}
        result.append(Annotation(start=start, end=end, fields=fields, start_frame=start_frame, end_frame=end_frame))
    return tuple(result)


# Where an annotation sits, not what it says: never copied into the model's answer.
_POSITION_FIELDS = ("start", "end", "start_frame", "end_frame")


def _frames(item: dict, i: int) -> tuple[Optional[int], Optional[int]]:
    """`start_frame` / `end_frame` as decoded-frame indices, each instead of its time."""
    found = []
    for name, time_name in (("start_frame", "start"), ("end_frame", "end")):
        value = item.get(name)
        if value in (None, ""):
            found.append(None)
            continue
        if item.get(time_name) not in (None, ""):
            raise DropError(DropReason.MALFORMED_ROW,
                            f"annotation {i} has both `{time_name}` and `{name}`; keep one of them")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)) or not _is_whole(value):
            raise DropError(DropReason.BAD_TIME,
                            f"annotation {i}: `{name}` is {value!r}; a frame number is a whole number from 0")
        found.append(int(float(value)))
    start_frame, end_frame = found
    mixed = (end_frame is not None and start_frame is None and item.get("start") not in (None, "")
             or start_frame is not None and end_frame is None and item.get("end") not in (None, ""))
    if mixed:
        raise DropError(DropReason.MALFORMED_ROW,
                        f"annotation {i} mixes a time with a frame number; give both in frames or both as times")
    if start_frame is not None and end_frame is not None and end_frame < start_frame:
        raise DropError(DropReason.BAD_RANGE,
                        f"annotation {i} ends (frame {end_frame}) before it starts (frame {start_frame})")
    return start_frame, end_frame


def _is_whole(value) -> bool:
    try:
        number = float(value)
        return number >= 0 and number == int(number)
    except (ValueError, OverflowError):  # not a number, or infinite
        return False


def _response(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    # A structured answer is written the way annotated answers are: JSON inside a fence.
    return "```json\n" + json.dumps(value, ensure_ascii=False) + "\n```"
