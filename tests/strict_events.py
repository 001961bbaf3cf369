"""The strict event check the end-to-end tests share: decode the written clip, never our metadata.

For every remapped event of an example, the event's colour shows 0.6 s inside both of its ends
and does not show 0.7 s outside them (where that instant is inside the clip): answers are MM:SS,
rounded to the second, so a right answer is within 0.5 s. The clip is decoded twice, once as a
player that honours edit lists and once as one that ignores them, with frame times as the
container gives them (not counted from the first frame decoded): both must see the same colours
at the same times, so any decoder agrees on what 00:07 means. `one_timeline_problems` reads the
written boxes: no empty edit, no hidden frame, the first frame and the sound at 0.
"""
from __future__ import annotations

import bisect
import json
from typing import Iterable, Optional

import av

from tests.media_checks import centre_colours, colour_name
from transforms.core.timecode import parse_time
from transforms.media import media_bytes, mp4_boxes, mp4_edits

INSIDE = 0.6
OUTSIDE = 0.7
# A decoder that ignores edit lists shows a B-frame stream's first frame at its composition
# delay (2 or 3 frames): within this of 0. The answers' MM:SS rounding is 0.5 s.
_IGNORED_EDIT_SLACK = 0.15


class Colours:
    """The colour shown at each container time of one clip, as one kind of decoder sees it."""

    def __init__(self, path: str, ignore_edit_lists: bool = False):
        options = {"ignore_editlist": "1"} if ignore_edit_lists else {}
        frames = [(t, colour_name(rgb)) for t, rgb in centre_colours(path, options)]
        self.frames = frames
        self._times = [time for time, _ in frames]
        self.first = frames[0][0]
        step = frames[-1][0] - frames[-2][0] if len(frames) > 1 else 0.04
        self.end = frames[-1][0] + step

    def at(self, t: float) -> Optional[str]:
        """The colour shown at container time t (the last frame at or before it)."""
        i = bisect.bisect_right(self._times, t + 1e-6) - 1
        return self.frames[i][1] if i >= 0 else None


def answer_items(line: dict) -> list[dict]:
    text = line["contents"][1]["parts"][0]["text"]
    assert text.startswith("```json\n") and text.endswith("\n```"), text
    return json.loads(text[len("```json\n"):-len("\n```")])


def event_problems(path: str, items: Iterable[dict]) -> list[str]:
    """Every way the clip's pixels disagree with its remapped events (an empty list: none)."""
    problems = []
    for ignore in (False, True):
        colours = Colours(path, ignore_edit_lists=ignore)
        who = "ignoring edit lists" if ignore else "honouring edit lists"
        slack = _IGNORED_EDIT_SLACK if ignore else 1e-3
        if not -1e-3 <= colours.first <= slack:
            problems.append(f"{who}, the first frame is at {colours.first:.3f}s, not 0")
        for item in items:
            start = parse_time(item["start"])
            end = parse_time(item["end"]) if "end" in item else start
            label = item["label"]
            inside = [start + INSIDE, end - INSIDE] if end - start >= 2 * INSIDE else [(start + end) / 2]
            for t in inside:
                if colours.at(t) != label:
                    problems.append(f"{who}: {label} {item['start']}-{item.get('end')}: at {t:.2f}s "
                                    f"the clip shows {colours.at(t)}")
            for t in (start - OUTSIDE, end + OUTSIDE):
                if colours.first <= t < colours.end - 1e-6 and colours.at(t) == label:
                    problems.append(f"{who}: {label} {item['start']}-{item.get('end')}: at {t:.2f}s, "
                                    f"outside the event, the clip already/still shows it")
    return problems


def one_timeline_problems(path: str) -> list[str]:
    """What in the written MP4's boxes would make readers disagree on its times."""
    source = media_bytes.open_bytes(path)
    try:
        boxes = mp4_boxes.top_level_boxes(source.read_at, source.size)
        moov = [box for box in boxes or () if box.kind == b"moov"]
        if len(moov) != 1:
            return ["not an MP4 with one moov"]
        tracks = mp4_edits.read_tracks(source.read_at, moov[0].payload)
    finally:
        source.close()
    problems = []
    for track in tracks:
        if any(edit.empty for edit in track.edits):
            problems.append(f"{track.handler}: an empty edit ({track.edits})")
        if track.handler == "vide" and (len(track.edits) > 1 or track.skipped > _IGNORED_EDIT_SLACK):
            problems.append(f"vide: edits that hide frames ({track.edits})")
        if track.handler == "soun" and track.skipped > 0.25:  # priming, or a copy's seek pre-roll
            problems.append(f"soun: skips {track.skipped:.3f}s ({track.edits})")
    with av.open(path) as container:
        video = container.streams.video[0]
        first_video = next(container.decode(video)).time
        if abs(first_video) > 1e-3:
            problems.append(f"the first frame is at {first_video:.3f}s")
        if container.streams.audio:
            container.seek(0)
            first_audio = next(container.decode(container.streams.audio[0])).time
            if abs(first_audio - first_video) > 0.05:
                problems.append(f"the sound starts at {first_audio:.3f}s, the picture at {first_video:.3f}s")
    return problems


def assert_strict(lines: Iterable[dict]) -> int:
    """Check every example's clip and events; return how many events were checked."""
    checked = 0
    for line in lines:
        path = line["contents"][0]["parts"][0]["fileData"]["fileUri"]
        items = answer_items(line)
        problems = one_timeline_problems(path) + event_problems(path, items)
        assert not problems, (path, problems)
        checked += len(items)
    return checked


def strict_colour_runs(path: str) -> list[tuple[float, Optional[str]]]:
    """(start, colour) of each run of one colour, honouring edit lists: for failure messages."""
    runs: list[tuple[float, Optional[str]]] = []
    for time, colour in Colours(path).frames:
        if not runs or runs[-1][1] != colour:
            runs.append((round(time, 3), colour))
    return runs

