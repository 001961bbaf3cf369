"""The formats `pipeline.convert` reads, and how each takes its input."""
from __future__ import annotations

import dataclasses
from typing import Callable

from transforms.convert import activitynet, charades_sta, cvat_video, label_studio, srt, webvtt, youcook2


@dataclasses.dataclass(frozen=True)
class Format:
    convert: Callable
    per_file: bool       # subtitles: INPUT is one file or a folder of them, one row per file
    extensions: tuple[str, ...] = ()
    numbers: str = ""    # what the format's numbers mean (for --help)


FORMATS = {
    "label-studio": Format(label_studio.convert, False,
                           numbers="frames of the player's timeline at --frame_rate (default 24): seconds"),
    "cvat-video": Format(cvat_video.convert, False,
                         numbers="decoded-frame indices: start_frame/end_frame, timed after probing"),
    "activitynet": Format(activitynet.convert, False, numbers="seconds"),
    "youcook2": Format(youcook2.convert, False, numbers="seconds"),
    "charades-sta": Format(charades_sta.convert, False, numbers="seconds"),
    "srt": Format(srt.convert, True, (".srt",), numbers="HH:MM:SS,mmm"),
    "webvtt": Format(webvtt.convert, True, (".vtt",), numbers="HH:MM:SS.mmm"),
}
