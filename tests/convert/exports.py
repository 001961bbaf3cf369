"""Test fixtures: each tool's export written the way the tool itself writes it.

Label Studio: its JSON export (label_studio/data_export, the task format of docs/source/includes/
task_format.md), with TimelineRegion results (`ranges` of 1-based player frames,
web/libs/editor/src/regions/TimelineRegion.js) and uploads named `<uuid8>-<name>`
(data_import/models.py). CVAT: "CVAT for video 1.1" as cvat/apps/dataset_manager/formats/cvat.py
dumps it (XMLGenerator, two-space indent, the meta of bindings.TaskData.meta_for_task, every
frame of a track from its first keyframe, `outside="1"` one task frame after the last seen).
The datasets: their published files' layout.
"""
from __future__ import annotations

import io
import json
from collections import OrderedDict
from typing import Sequence
from xml.sax.saxutils import XMLGenerator

Span = tuple[float, float, str]         # seconds, and the label or text
FrameSpan = tuple[int, int, str]        # first and last frame (inclusive), and the label


def label_studio_frames(start: float, end: float, frame_rate: float) -> tuple[int, int]:
    """The range Label Studio's timeline stores for an event shown from `start` to `end` seconds."""
    return round(start * frame_rate) + 1, round(end * frame_rate)


def label_studio_export(tasks: Sequence[tuple[str, Sequence[FrameSpan]]], project: int = 3) -> bytes:
    """Tasks of uploaded videos (`name`, events as 1-based timeline frames), one annotation each."""
    items = []
    for number, (name, events) in enumerate(tasks, start=1):
        result = [OrderedDict([
            ("value", OrderedDict([("ranges", [OrderedDict([("start", first), ("end", last)])]),
                                   ("timelinelabels", [label])])),
            ("id", f"r{number}x{i}"), ("from_name", "videoLabels"), ("to_name", "video"),
            ("type", "timelinelabels"), ("origin", "manual")]) for i, (first, last, label) in enumerate(events)]
        items.append(OrderedDict([
            ("id", 100 + number),
            ("annotations", [OrderedDict([
                ("id", 500 + number), ("completed_by", 1), ("result", result), ("was_cancelled", False),
                ("ground_truth", False), ("created_at", "2026-11-30T10:00:00.000000Z"),
                ("updated_at", "2026-11-30T10:05:00.000000Z"), ("draft_created_at", None), ("lead_time", 42.5),
                ("prediction", {}), ("result_count", len(result)), ("unique_id", f"u-{number}"),
                ("import_id", None), ("last_action", None), ("bulk_created", False), ("task", 100 + number),
                ("project", project), ("updated_by", 1), ("parent_prediction", None),
                ("parent_annotation", None), ("last_created_by", None)])]),
            ("file_upload", f"{number:08x}-{name}"), ("drafts", []), ("predictions", []),
            ("data", {"video": f"/data/upload/{project}/{number:08x}-{name}"}), ("meta", {}),
            ("created_at", "2026-11-30T09:00:00.000000Z"), ("updated_at", "2026-11-30T10:05:00.000000Z"),
            ("inner_id", number), ("total_annotations", 1), ("cancelled_annotations", 0),
            ("total_predictions", 0), ("comment_count", 0), ("unresolved_comment_count", 0),
            ("last_comment_updated_at", None), ("project", project), ("updated_by", 1), ("comment_authors", [])]))
    return json.dumps(items, indent=2).encode("utf-8")


class _Writer:
    """CVAT's XmlAnnotationWriter: XMLGenerator, ignorable whitespace for a two-space indent."""

    def __init__(self):
        self.file = io.StringIO()
        self.xml = XMLGenerator(self.file, "utf-8")
        self.level = 0

    def indent(self):
        self.xml.ignorableWhitespace("\n" + "  " * self.level)

    def open(self, tag, attrs=None):
        self.indent()
        self.xml.startElement(tag, attrs or {})
        self.level += 1

    def close(self, tag):
        self.level -= 1
        self.indent()
        self.xml.endElement(tag)

    def leaf(self, tag, text):
        self.indent()
        self.xml.startElement(tag, {})
        self.xml.characters(text)
        self.xml.endElement(tag)

    def meta(self, items):
        for key, value in items.items():
            if isinstance(value, dict):
                self.open(key)
                self.meta(value)
                self.close(key)
            elif isinstance(value, list):
                self.open(key)
                for tag, inner in value:
                    self.open(tag)
                    self.meta(inner)
                    self.close(tag)
                self.close(key)
            else:
                self.leaf(key, value)


def cvat_video_export(source: str, size: int, tracks: Sequence[FrameSpan], start_frame: int = 0,
                      step: int = 1, width: int = 320, height: int = 240, task_id: int = 7) -> bytes:
    """A video task of `size` task frames; each track shown on task frames `first`..`last`."""
    stop_frame = start_frame + (size - 1) * step
    labels = sorted({label for _, _, label in tracks})
    meta = OrderedDict([("task", OrderedDict([
        ("id", str(task_id)), ("name", f"task {source}"), ("size", str(size)), ("mode", "interpolation"),
        ("overlap", "5"), ("bugtracker", ""), ("created", "2026-11-30 09:00:00.000000+00:00"),
        ("updated", "2026-11-30 10:00:00.000000+00:00"), ("subset", "default"),
        ("start_frame", str(start_frame)), ("stop_frame", str(stop_frame)),
        ("frame_filter", f"step={step}" if step > 1 else ""),
        ("segments", [("segment", OrderedDict([("id", "11"), ("start", "0"), ("stop", str(size - 1)),
                                               ("url", "http://localhost:8080/api/jobs/11")]))]),
        ("owner", OrderedDict([("username", "admin"), ("email", "")])), ("assignee", ""),
        ("labels", [("label", OrderedDict([("name", name), ("color", "#ff0000"), ("type", "rectangle"),
                                           ("attributes", [])])) for name in labels]),
        ("original_size", OrderedDict([("width", str(width)), ("height", str(height))])),
        ("source", source)])), ("dumped", "2026-11-30 10:06:00.000000+00:00")])
    writer = _Writer()
    writer.xml.startDocument()
    writer.xml.startElement("annotations", {})
    writer.level += 1
    writer.leaf("version", "1.1")
    writer.open("meta")
    writer.meta(meta)
    writer.close("meta")
    for track_id, (first, last, label) in enumerate(tracks):
        writer.open("track", OrderedDict([("id", str(track_id)), ("label", label), ("source", "manual")]))
        frames = list(range(first, last + 1, step))
        if last + step <= stop_frame:
            frames.append(last + step)
        for frame in frames:
            outside = frame > last
            box = OrderedDict([("frame", str(frame)), ("keyframe", str(int(frame in (first, last + step)))),
                               ("outside", str(int(outside))), ("occluded", "0"), ("xtl", "10.00"),
                               ("ytl", "10.00"), ("xbr", "110.00"), ("ybr", "90.00"), ("z_order", "0")])
            writer.open("box", box)
            writer.close("box")
        writer.close("track")
    writer.level -= 1
    writer.indent()
    writer.xml.endElement("annotations")
    writer.xml.endDocument()
    return writer.file.getvalue().encode("utf-8")


def activitynet_json(videos: dict[str, tuple[float, Sequence[Span]]]) -> bytes:
    return json.dumps({key: {"duration": duration, "timestamps": [[s, e] for s, e, _ in spans],
                             "sentences": [text for _, _, text in spans]}
                       for key, (duration, spans) in videos.items()}).encode("utf-8")


def youcook2_json(videos: dict[str, tuple[str, str, float, Sequence[Span]]]) -> bytes:
    """`id` -> (subset, recipe_type, duration, segments)."""
    return json.dumps({"database": {key: {
        "duration": duration, "subset": subset, "recipe_type": recipe,
        "annotations": [{"segment": [s, e], "id": i, "sentence": text} for i, (s, e, text) in enumerate(spans)],
        "video_url": f"https://www.youtube.com/watch?v={key}"}
        for key, (subset, recipe, duration, spans) in videos.items()}}).encode("utf-8")


def charades_sta_lines(videos: dict[str, Sequence[Span]]) -> bytes:
    return "".join(f"{key} {s:.1f} {e:.1f}##{text}\n" for key, spans in videos.items()
                   for s, e, text in spans).encode("utf-8")


def _clock(seconds: float, decimal: str) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3600000:02d}:{millis // 60000 % 60:02d}:{millis // 1000 % 60:02d}{decimal}{millis % 1000:03d}"


def srt_file(cues: Sequence[Span]) -> bytes:
    return "".join(f"{i}\n{_clock(s, ',')} --> {_clock(e, ',')}\n{text}\n\n"
                   for i, (s, e, text) in enumerate(cues, start=1)).encode("utf-8")


def webvtt_file(cues: Sequence[Span], speaker: str = "") -> bytes:
    voice = f"<v {speaker}>" if speaker else ""
    return ("WEBVTT\n\nNOTE made by the tests\n\n" + "".join(
        f"cue-{i}\n{_clock(s, '.')} --> {_clock(e, '.')} align:start\n{voice}{text}\n\n"
        for i, (s, e, text) in enumerate(cues, start=1))).encode("utf-8")
