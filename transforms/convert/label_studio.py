"""Label Studio's JSON export -> manifest rows. Pure.

The export is a list of tasks: `data` names the video, each of `annotations` (one per
annotator) has a `result` list. A video `TimelineLabels` region is
`{"type": "timelinelabels", "value": {"ranges": [{"start": 5, "end": 15}], "timelinelabels": ["Run"]}}`,
its numbers frames of the player's timeline: 1-based, at the labelling config's
`<Video frameRate>` (default 24), which the export does not carry. Label Studio shows frame N
from (N-1)/frameRate and counts a range's end frame in, so a range is
[(start-1)/frameRate, end/frameRate] seconds: times, not decoded frames (the browser steps by
time), which is why this writes `start`/`end` and not `start_frame`/`end_frame`.
`choices`, `labels` and `textarea` results with no range describe the whole video: a row
with a fixed `response`.
"""
from __future__ import annotations

import json
import posixpath
import re
from typing import Any, Optional
from urllib.parse import parse_qs, urlparse

from transforms.convert.shared import Conversion, ConvertError, ItemError, Settings, manifest_row

DEFAULT_FRAME_RATE = 24.0
DEFAULT_PROMPT = "List every labelled event in this video with its label, start and end as MM:SS."
DEFAULT_WHOLE_PROMPT = "Classify this video."
# Label Studio names an uploaded file "<8 hex of a uuid>-<original name>" (data_import/models.py).
_UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-")
_WHOLE_VIDEO = {"choices": "choices", "labels": "labels", "textarea": "text"}
# Regions a temporal task has no use for; reported once per result, never silently dropped.
_TIMELINE = "timelinelabels"


def convert(data: bytes, source: str, settings: Settings) -> Conversion:
    out = Conversion()
    try:
        tasks = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        out.fail(source, f"not a Label Studio JSON export: {err}")
        return out
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        out.fail(source, "not a Label Studio JSON export: expected a list of tasks")
        return out
    rate = settings.frame_rate or DEFAULT_FRAME_RATE
    for index, task in enumerate(tasks):
        task_place = f"{source}: [{index}]" + (f" task {task.get('id')}" if isinstance(task, dict) else "")
        try:
            _task(task, index, task_place, rate, settings, out)
        except ItemError as err:
            out.fail(err.place, err.detail)
    return out


def _task(task: Any, index: int, place: str, rate: float, settings: Settings, out: Conversion) -> None:
    if not isinstance(task, dict):
        raise ItemError(place, "a task is a JSON object with `data` and `annotations`")
    name = video_name(task.get("data"))
    if name is None:
        raise ItemError(place, "the task's `data` names no video (a string such as `\"video\": \"...mp4\"`)")
    annotations = task.get("annotations")
    if not isinstance(annotations, list) or not annotations:
        raise ItemError(place, "the task has no `annotations`: label it, or leave it out of the export")
    uri = settings.videos.find(_candidates(name), as_is=not _is_server_path(name))
    if isinstance(uri, ConvertError):
        raise ItemError(place, uri.detail)
    task_id = task.get("id", f"item{index}")
    for number, annotation in enumerate(annotations):
        ann_place = f"{place} annotations[{number}]" + (
            f" (id {annotation.get('id')})" if isinstance(annotation, dict) and "id" in annotation else "")
        try:
            out.rows.extend(_annotation(annotation, ann_place, f"label-studio-{task_id}-{number}", uri, rate,
                                        settings, out))
        except ItemError as err:
            out.fail(err.place, err.detail)


def _annotation(annotation: Any, place: str, row_id: str, uri: str, rate: float, settings: Settings,
                out: Conversion) -> list[dict]:
    if not isinstance(annotation, dict) or not isinstance(annotation.get("result"), list):
        raise ItemError(place, "an annotation is an object with a `result` list")
    if annotation.get("was_cancelled"):
        raise ItemError(place, "the annotator skipped this task (`was_cancelled`): nothing to convert")
    events: list[dict] = []
    whole: list[tuple[str, list[str]]] = []
    reported = 0
    for number, result in enumerate(annotation["result"]):
        result_place = f"{place} result[{number}]"
        kind = result.get("type") if isinstance(result, dict) else None
        value = result.get("value") if isinstance(result, dict) else None
        if not isinstance(value, dict):
            raise ItemError(result_place, "a result needs `type` and a `value` object")
        if kind == _TIMELINE or _TIMELINE in value:
            events.extend(_ranges(value, result_place, rate))
        elif kind in _WHOLE_VIDEO:
            picked = value.get(_WHOLE_VIDEO[kind])
            if not isinstance(picked, list) or not all(isinstance(v, str) for v in picked):
                raise ItemError(result_place, f"a `{kind}` result needs `value.{_WHOLE_VIDEO[kind]}`, a list of strings")
            whole.append((str(result.get("from_name", kind)), picked))
        else:
            out.fail(result_place, f"a `{kind}` result is not converted: only `timelinelabels` (events in time) "
                                   "and whole-video `choices`, `labels` and `textarea`")
            reported += 1
    rows = []
    if events:
        rows.append(manifest_row(row_id, uri, settings.prompt or DEFAULT_PROMPT, events))
    if whole:
        text = "; ".join(f"{name}: {', '.join(values)}" for name, values in whole) if len(whole) > 1 \
            else ", ".join(whole[0][1])
        rows.append(manifest_row(row_id + ("-whole" if events else ""), uri,
                                 settings.prompt or DEFAULT_WHOLE_PROMPT, response=text))
    if not rows and not reported:
        raise ItemError(place, "the annotation has no result: nothing to convert")
    return rows


def _ranges(value: dict, place: str, rate: float) -> list[dict]:
    labels = value.get(_TIMELINE)
    ranges = value.get("ranges")
    if not isinstance(labels, list) or not labels or not all(isinstance(v, str) for v in labels):
        raise ItemError(place, "a timeline region needs `value.timelinelabels`, a list of labels")
    if not isinstance(ranges, list) or not ranges:
        raise ItemError(place, "a timeline region needs `value.ranges`, a list of {start, end} frames")
    events = []
    for number, item in enumerate(ranges):
        first = _frame(item.get("start") if isinstance(item, dict) else None, f"ranges[{number}].start", place)
        last = _frame(item.get("end") if isinstance(item, dict) else None, f"ranges[{number}].end", place)
        if last < first:
            raise ItemError(place, f"ranges[{number}] ends (frame {last}) before it starts (frame {first})")
        for label in labels:
            events.append({"start": round((first - 1) / rate, 6), "end": round(last / rate, 6), "label": label})
    return events


def _frame(value: Any, what: str, place: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 1:
        raise ItemError(place, f"{what} is {value!r}; Label Studio's frames are whole numbers from 1")
    return int(value)


def video_name(data: Any) -> Optional[str]:
    """The video the task's data names: its `video` field, else its one string that looks like a video."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("video"), str) and data["video"]:
        return data["video"]
    strings = [v for v in data.values() if isinstance(v, str) and posixpath.splitext(urlparse(v).path)[1]]
    return strings[0] if len(strings) == 1 else None


def _is_server_path(name: str) -> bool:
    """Label Studio's own URLs for uploaded and local-storage files: reachable only on its server."""
    return name.startswith("/data/")


def _candidates(name: str) -> list[str]:
    """Spellings of the video's name to look up: the export's, the local file's, the upload's original."""
    parsed = urlparse(name)
    names = [name]
    local = parse_qs(parsed.query).get("d")  # /data/local-files/?d=folder/video.mp4
    if local:
        names.append(local[0])
    base = posixpath.basename(parsed.path) if not local else posixpath.basename(local[0])
    names.append(base)
    if name.startswith("/data/upload/") and _UPLOAD_PREFIX.match(base):
        names.append(_UPLOAD_PREFIX.sub("", base))
    return names
