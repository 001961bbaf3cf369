"""CVAT's "CVAT for video 1.1" XML -> manifest rows in frame numbers. Pure.

CVAT writes a track's every frame from its first keyframe on (`keyframe="0"` for the
interpolated ones); a shape with `outside="1"` ends a span of visibility, and a track may
come back later. A frame number is the index of a decoded frame of the source video, from
its first (CVAT's dumper writes `relative * step + start_frame`, bindings.abs_frame_id),
so with `<start_frame>` and `<frame_filter>step=N</frame_filter>` in the task's meta every
frame is `start_frame + k * N`. The file has no frame rate: the rows keep `start_frame` /
`end_frame` (the last frame the object is seen, inclusive), and the pipeline turns them into
times from the probe's real frame timestamps, exact on variable-frame-rate video.
CVAT's own dumper writes no `<tag>` in this format (cvat-ai/cvat#7198); a `<tag frame=...>`
that a file has anyway becomes a one-frame event. A project export holds several tasks, one
row each; CVAT numbers their frames on, task after task of a subset (ProjectData.abs_frame_id
adds the sizes of the tasks before it), so each task's offset is taken off again. A job export
(`<meta><job>`) names no video: its row is looked up as `job-<id>` (a --videos CSV).
"""
from __future__ import annotations

import dataclasses
import re
from typing import Optional
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as ET
from defusedxml import DefusedXmlException

from transforms.convert.shared import Conversion, ConvertError, ItemError, Settings, manifest_row

DEFAULT_PROMPT = "List every labelled object's appearance in this video with its label, start and end as MM:SS."
_SHAPES = ("box", "polygon", "polyline", "points", "ellipse", "cuboid", "mask", "skeleton")


@dataclasses.dataclass(frozen=True)
class _Task:
    task_id: str
    name: str
    source: str        # the video's file name (<source>), "" when the export has none
    start_frame: int
    stop_frame: Optional[int]
    step: int
    offset: int = 0    # what a project export adds to this task's frames


def convert(data: bytes, source: str, settings: Settings) -> Conversion:
    out = Conversion()
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, DefusedXmlException) as err:
        out.fail(source, f"not a CVAT XML file: {err}")
        return out
    if root.tag != "annotations":
        out.fail(source, f"not a CVAT XML file: the root element is <{root.tag}>, not <annotations>")
        return out
    try:
        tasks = _tasks(root, source)
    except ItemError as err:
        out.fail(err.place, err.detail)
        return out
    events: dict[str, list[dict]] = {task_id: [] for task_id in tasks}
    failed: set[str] = set()
    only = next(iter(tasks)) if len(tasks) == 1 else None
    for element in root:
        if element.tag not in ("track", "tag"):
            continue
        place = f"{source}: <{element.tag}" + "".join(
            f' {k}="{element.get(k)}"' for k in ("id", "label", "frame") if element.get(k) is not None) + ">"
        task_id = element.get("task_id", only)
        try:
            if task_id not in tasks:
                raise ItemError(place, f"task_id {task_id!r} is not a task of the export's <meta>")
            task = tasks[task_id]
            found = _track(element, task, place) if element.tag == "track" else [_tag(element, task, place)]
            events[task_id].extend(found)
        except ItemError as err:
            out.fail(err.place, err.detail)
            failed.add(task_id)
    for task_id, task in tasks.items():
        place = f"{source}: task {task_id} ({task.name or task.source})"
        if task_id in failed:
            out.fail(place, "not converted: a track or tag of it could not be read (see above); "
                            "a row with some of its events left out would teach the model they did not happen")
            continue
        uri = settings.videos.find([n for n in (task.source, task.name) if n])
        if isinstance(uri, ConvertError):
            out.fail(place, uri.detail if task.source or task.name else
                     "the export names no video (no <source> or <name> in the task's <meta>)")
            continue
        out.rows.append(manifest_row(f"cvat-task-{task_id}", uri, settings.prompt or DEFAULT_PROMPT,
                                     events[task_id]))
    return out


def _tasks(root: Element, source: str) -> dict[str, _Task]:
    meta = root.find("meta")
    if meta is None:
        raise ItemError(source, "no <meta>: export the task as \"CVAT for video 1.1\"")
    project = meta.find("project") is not None
    elements = meta.findall("task") or meta.findall("job") or meta.findall("project/tasks/task")
    if not elements:
        raise ItemError(source, "no <task> in <meta>: export the task as \"CVAT for video 1.1\"")
    tasks = {}
    offset, subset = 0, None
    for element in elements:
        task_id = (element.findtext("id") or "").strip() or str(len(tasks))
        place = f"{source}: <meta> task {task_id}"
        mode = (element.findtext("mode") or "interpolation").strip()
        if mode != "interpolation":
            raise ItemError(place, f"the task's mode is {mode!r}: an images task has no video timeline; "
                                   "export a video task as \"CVAT for video 1.1\"")
        step_text = (element.findtext("frame_filter") or "").strip()
        match = re.fullmatch(r"step\s*=\s*(\d+)", step_text)
        if step_text and not match:
            raise ItemError(place, f"<frame_filter> {step_text!r} is not of the form step=N")
        step = max(1, int(match.group(1))) if match else 1
        start = _int(element.findtext("start_frame") or "0", "<start_frame>", place)
        if project and element.findtext("subset") != subset:  # CVAT counts on within a subset
            offset, subset = 0, element.findtext("subset")
        name = (element.findtext("name") or "").strip() or (f"job-{task_id}" if element.tag == "job" else "")
        tasks[task_id] = _Task(
            task_id=task_id, name=name, source=(element.findtext("source") or "").strip(), start_frame=start,
            stop_frame=_int(element.findtext("stop_frame"), "<stop_frame>", place)
            if element.findtext("stop_frame") else None, step=step, offset=offset)
        if project:
            offset += start + step * _int(element.findtext("size") or "0", "<size>", place)
    return tasks


def _int(text: Optional[str], what: str, place: str) -> int:
    try:
        value = int((text or "").strip())
    except ValueError:
        raise ItemError(place, f"{what} is {text!r}, not a whole number") from None
    if value < 0:
        raise ItemError(place, f"{what} is {value}: frames count from 0")
    return value


def _frame(element: Element, task: _Task, place: str) -> int:
    """The index of the decoded frame of the task's video that the element's `frame` names."""
    if element.get("frame") is None:
        raise ItemError(place, f"a <{element.tag}> has no `frame`")
    frame = _int(element.get("frame"), "`frame`", place) - task.offset
    on_grid = frame >= task.start_frame and (frame - task.start_frame) % task.step == 0
    if not on_grid or (task.stop_frame is not None and frame > task.stop_frame):
        raise ItemError(place, f"frame {frame} is not a frame of the task (start_frame {task.start_frame}, "
                               f"step {task.step}, stop_frame {task.stop_frame})")
    return frame


def _track(element: Element, task: _Task, place: str) -> list[dict]:
    label = element.get("label")
    if not label:
        raise ItemError(place, "a <track> has no `label`")
    shapes = sorted(((_frame(s, task, place), s) for s in element if s.tag in _SHAPES), key=lambda p: p[0])
    if not shapes:
        raise ItemError(place, "the track has no shape with a frame")
    spans: list[list[tuple[int, Element]]] = []
    current: list[tuple[int, Element]] = []
    ends: list[Optional[int]] = []
    for frame, shape in shapes:
        if shape.get("outside") == "1":
            if current:  # the object was last seen one task frame before it went outside
                spans.append(current)
                ends.append(frame - task.step)
                current = []
        else:
            current.append((frame, shape))
    if current:  # no outside shape closes it: CVAT shows the object to the task's last frame
        spans.append(current)
        ends.append(task.stop_frame if task.stop_frame is not None else current[-1][0])
    if not spans:
        raise ItemError(place, "the track is outside the picture on every frame: no span to convert")
    return [{"start_frame": span[0][0], "end_frame": max(end, span[-1][0]), "label": label,
             **_constant_attributes([s for _, s in span])} for span, end in zip(spans, ends)]


def _tag(element: Element, task: _Task, place: str) -> dict:
    label = element.get("label")
    if not label:
        raise ItemError(place, "a <tag> has no `label`")
    frame = _frame(element, task, place)
    return {"start_frame": frame, "end_frame": frame, "label": label, **_constant_attributes([element])}


def _constant_attributes(shapes: list[Element]) -> dict[str, str]:
    """The shapes' <attribute>s whose value is the same all along the span (a changing one is no label)."""
    values: Optional[dict[str, str]] = None
    for shape in shapes:
        found = {a.get("name"): (a.text or "") for a in shape.findall("attribute") if a.get("name")}
        values = found if values is None else {k: v for k, v in values.items() if found.get(k) == v}
    return {k: v for k, v in (values or {}).items() if k not in ("label", "start_frame", "end_frame")}
