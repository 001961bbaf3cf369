"""Colour-event videos whose timelines are made the way real sources make them (issue 11).

Each case is a base video from pipeline.synthetic_media (colours painted at known times) put
through the command a real tool runs: `ffmpeg -ss 3.3 -i in.mp4 -c copy` (a trimmed start), a
delayed video track (an empty edit), QuickTime with 48 kHz AAC (the priming edit), a phone's
variable frame rate, an MPEG-TS clock that starts late, wraps at 2^33 or jumps, 120/240 fps
and 12 s open GOPs. `events` are in the file's own timeline: seconds since the first frame a
player shows. Files are made once per folder.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import subprocess
from typing import Callable

from pipeline import synthetic_media
from pipeline.synthetic_media import Event, VideoSpec, make_video
from transforms.media.ffmpeg_commands import ffmpeg_binary

TRIM_AT = 3.3  # the `-ss` of the trimmed case
_CACHE_ROOT = os.environ.get("TEST_CORPUS_DIR", os.path.join(os.path.expanduser("~"), ".cache",
                                                               "gemini-video-dataset", "test-corpus"))


def cache_folder() -> str:
    """A folder shared by the tests that use these videos, named by the generators' code: edit
    them and the videos are made again; otherwise they are made once."""
    digest = hashlib.sha1()
    for module in (__file__, synthetic_media.__file__):
        with open(module, "rb") as handle:
            digest.update(handle.read())
    folder = os.path.join(os.path.dirname(_CACHE_ROOT), f"timelines-{digest.hexdigest()[:12]}")
    os.makedirs(folder, exist_ok=True)
    return folder


PROMPT = "List every colour event in this video with its start and end as MM:SS."


@dataclasses.dataclass(frozen=True)
class Footage:
    name: str
    path: str
    events: tuple[Event, ...]
    # (start, end) segments that rows ask for as well: cut by keyframes or by decoding.
    segments: tuple[tuple[float, float], ...] = ()

    @property
    def id(self) -> str:
        return os.path.splitext(self.name)[0]

    def row(self) -> dict:
        return {"id": self.id, "video_uri": self.name, "prompt": PROMPT,
                "annotations": [e.annotation() for e in self.events]}

    def rows(self) -> list[dict]:
        rows = [self.row()]
        for start, end in self.segments:
            rows.append({"id": f"{self.id}@{start:g}-{end:g}", "video_uri": self.name, "prompt": PROMPT,
                         "start": start, "end": end,
                         "annotations": [e.annotation() for e in self.events if start <= e.start and e.end <= end]})
        return rows


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _once(folder: str, name: str, make: Callable[[str], None]) -> str:
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        tmp = path + ".tmp" + os.path.splitext(name)[1]
        make(tmp)
        os.replace(tmp, path)
    return path


def _shifted(events, by: float) -> tuple[Event, ...]:
    return tuple(Event(round(e.start - by, 6), round(e.end - by, 6), e.color) for e in events)


# --- MP4/MOV edit lists -------------------------------------------------------------------

# Over 5 minutes once trimmed, with B-frames (a camera's encoder): at MEDIUM it is cut in two.
TRIM_BASE = VideoSpec(name="_base_trim.mp4", seconds=340, fps=25, gop_seconds=2, preset="medium",
                      events=(Event(20, 24, "red"), Event(150, 154, "blue"), Event(297, 302, "green"),
                              Event(320, 326, "yellow")))


def trimmed(folder: str) -> Footage:
    """`ffmpeg -ss 3.3 -i in.mp4 -c copy out.mp4`: the copy starts at the keyframe before 3.3 s and
    an edit list hides the frames up to it. A player's first frame is the first at or after 3.3 s."""
    base = make_video(folder, TRIM_BASE)
    path = _once(folder, "trimmed_start.mp4", lambda out: _ffmpeg("-ss", str(TRIM_AT), "-i", base, "-c", "copy", out))
    first_shown = math.ceil(TRIM_AT * TRIM_BASE.fps - 1e-9) / TRIM_BASE.fps
    return Footage("trimmed_start.mp4", path, _shifted(TRIM_BASE.events, first_shown))


DELAY_BASE = VideoSpec(name="_base_delay.mp4", seconds=40, fps=30, gop_seconds=2, preset="medium",
                       events=(Event(6, 9, "red"), Event(21, 25, "cyan"), Event(33, 36, "magenta")))


def delayed(folder: str) -> Footage:
    """The video track starts 2 s after the sound: an empty edit (`-itsoffset` on the video)."""
    base = make_video(folder, DELAY_BASE)
    path = _once(folder, "delayed_start.mp4", lambda out: _ffmpeg(
        "-itsoffset", "2", "-i", base, "-i", base, "-map", "0:v", "-map", "1:a", "-c", "copy", out))
    return Footage("delayed_start.mp4", path, DELAY_BASE.events)


def delayed_whole(folder: str) -> Footage:
    """Every track starts 1.5 s late (`-itsoffset` on the whole file): empty edits in both."""
    base = make_video(folder, DELAY_BASE)
    path = _once(folder, "delayed_whole.mp4", lambda out: _ffmpeg("-itsoffset", "1.5", "-i", base, "-c", "copy", out))
    return Footage("delayed_whole.mp4", path, DELAY_BASE.events)


PRIMING_BASE = VideoSpec(name="_base_priming.mp4", seconds=30, fps="30000/1001", gop_seconds=2, preset="medium",
                         events=(Event(4, 7, "green"), Event(17, 20, "blue")))


def aac_priming(folder: str) -> Footage:
    """QuickTime with 48 kHz AAC: the sound track's one edit skips the encoder's 1024 priming samples."""
    base = make_video(folder, PRIMING_BASE)
    path = _once(folder, "aac_priming.mov", lambda out: _ffmpeg(
        "-i", base, "-c:v", "copy", "-c:a", "aac", "-ar", "48000", "-b:a", "96k", "-f", "mov", out))
    return Footage("aac_priming.mov", path, PRIMING_BASE.events)


EDIT_LIST_CASES = (trimmed, delayed, delayed_whole, aac_priming)


# --- Variable frame rate ------------------------------------------------------------------

def _paint(events) -> str:
    from pipeline.synthetic_media import COLORS
    boxes = []
    for e in events:
        r, g, b = COLORS[e.color]
        boxes.append(f"drawbox=enable='between(t,{e.start},{e.end})':x=0:y=0:w=iw:h=ih:c=0x{r:02x}{g:02x}{b:02x}:t=fill")
    return ",".join(boxes)


VFR_EVENTS = (Event(14, 17, "red"), Event(26, 29, "blue"), Event(33, 37, "green"), Event(47, 50, "yellow"),
              Event(55, 58, "magenta"))
# What a phone does: 30 fps, 15 fps in [10, 20), a stall (no frame) in (23, 24), 10 fps in
# [30, 40), irregular gaps in [45, 52). Painted before the frames are dropped, so colours keep
# their times; a keyframe every 2 s of real time.
_VFR_SELECT = ("if(between(t,23.0001,23.9999),0,if(between(t,10,19.999),not(mod(n,2)),"
               "if(between(t,30,39.999),not(mod(n,3)),if(between(t,45,52),lt(mod(n*7,11),7),1))))")


def _vfr(out: str) -> None:
    _ffmpeg("-f", "lavfi", "-i", "color=c=0x808080:s=320x240:r=30:d=60", "-f", "lavfi", "-i", "sine=f=440:d=60",
            "-vf", f"{_paint(VFR_EVENTS)},select='{_VFR_SELECT}'", "-fps_mode", "vfr",
            "-c:v", "libx264", "-preset", "medium", "-force_key_frames", "expr:gte(t,n_forced*2)",
            "-c:a", "aac", "-b:a", "64k", out)


def phone_vfr(folder: str) -> Footage:
    """An upright phone video at a variable rate: copied whole, its segments cut on keyframes."""
    path = _once(folder, "phone_vfr.mp4", _vfr)
    return Footage("phone_vfr.mp4", path, VFR_EVENTS, segments=((23.3, 52.0),))


def phone_vfr_portrait(folder: str) -> Footage:
    """The same held upright (rotation metadata): transcoded, its segment starting in the stall,
    so the clip's first frame is the one after the stall, 0.7 s after the segment's start."""
    source = _once(folder, "phone_vfr.mp4", _vfr)
    path = _once(folder, "phone_vfr_portrait.mp4", lambda out: _ffmpeg(
        "-display_rotation:v:0", "90", "-i", source, "-c", "copy", out))
    return Footage("phone_vfr_portrait.mp4", path, VFR_EVENTS, segments=((23.3, 52.0),))


VFR_CASES = (phone_vfr, phone_vfr_portrait)

# --- MPEG-TS clocks -----------------------------------------------------------------------

TS_BASE = VideoSpec(name="_base_ts.mp4", seconds=60, fps=25, gop_seconds=2, preset="medium",
                    events=(Event(5, 8, "red"), Event(12, 16, "green"), Event(27, 31, "blue"),
                            Event(44, 48, "yellow")))
WRAP_SECONDS = 2 ** 33 / 90000  # 95443.72 s: where a 33-bit 90 kHz clock wraps


def ts_late_start(folder: str) -> Footage:
    """A broadcast recording whose clock reads 10 minutes at its first frame."""
    base = make_video(folder, TS_BASE)
    path = _once(folder, "ts_late_start.ts", lambda out: _ffmpeg(
        "-i", base, "-c", "copy", "-f", "mpegts", "-output_ts_offset", "600", out))
    return Footage("ts_late_start.ts", path, TS_BASE.events, segments=((20.0, 50.0),))


def ts_wrap(folder: str) -> Footage:
    """The 33-bit clock wraps to 0 at 14 s, inside the green event."""
    base = make_video(folder, TS_BASE)
    path = _once(folder, "ts_wrap.ts", lambda out: _ffmpeg(
        "-i", base, "-c", "copy", "-f", "mpegts", "-output_ts_offset", f"{WRAP_SECONDS - 14:.6f}", out))
    return Footage("ts_wrap.ts", path, TS_BASE.events, segments=((20.0, 50.0),))


def ts_discontinuity(folder: str) -> Footage:
    """Two recordings joined byte for byte (a channel change): the clock jumps from 130 s to
    5000 s at 30 s. A player goes on from the frame before; so does our timeline."""
    base = make_video(folder, TS_BASE)

    def make(out: str) -> None:
        first, second = out + ".a.ts", out + ".b.ts"
        _ffmpeg("-i", base, "-t", str(JOIN_AT), "-c", "copy", "-f", "mpegts", "-output_ts_offset", "100", first)
        _ffmpeg("-ss", str(JOIN_AT), "-i", base, "-c", "copy", "-f", "mpegts", "-output_ts_offset", "5000", second)
        with open(out, "wb") as joined:
            for part in (first, second):
                with open(part, "rb") as handle:
                    joined.write(handle.read())
                os.remove(part)
    path = _once(folder, "ts_discontinuity.ts", make)
    shift = _join_shift(path, JOIN_AT) - JOIN_AT
    events = tuple(e if e.end <= JOIN_AT else Event(e.start if e.start < JOIN_AT else round(e.start + shift, 6),
                                                  round(e.end + shift, 6), e.color) for e in TS_BASE.events)
    return Footage("ts_discontinuity.ts", path, events, segments=((35.0, 58.0),))


JOIN_AT = 30.0


def _join_shift(path: str, join_at: float) -> float:
    """Where the second recording's first frame plays: read the way ffmpeg (a player) reads the
    file, from its start, into MP4; that frame follows the longest gap between frames."""
    import av

    out = path + ".played.mp4"
    _ffmpeg("-i", path, "-map", "0:v", "-c", "copy", out)
    try:
        with av.open(out) as container:
            times = sorted(float(f.pts * f.time_base) for f in container.demux(container.streams.video[0])
                           if f.pts is not None)
    finally:
        os.remove(out)
    times = [t - times[0] for t in times]
    gaps = [(b - a, b) for a, b in zip(times, times[1:]) if a >= join_at - 1]
    return max(gaps)[1]


TS_CASES = (ts_late_start, ts_wrap, ts_discontinuity)

# --- High frame rates and long GOPs ------------------------------------------------------

HFR_120 = VideoSpec(name="hfr_120.mp4", seconds=24, fps=120, gop_seconds=1, size=(256, 144), preset="medium",
                    events=(Event(3, 5, "red"), Event(11, 14, "blue"), Event(19, 22, "green")))
HFR_240 = VideoSpec(name="hfr_240.mkv", seconds=12, fps=240, gop_seconds=1, size=(256, 144),
                    events=(Event(2, 4, "yellow"), Event(7, 10, "cyan")))
LONG_GOP = VideoSpec(name="_base_long_gop.mp4", seconds=90, fps=30, gop_seconds=12, preset="medium",
                     events=(Event(5, 9, "red"), Event(30, 34, "green"), Event(50, 55, "blue"), Event(80, 84, "magenta")))


def hfr_120(folder: str) -> Footage:
    return Footage(HFR_120.name, make_video(folder, HFR_120), HFR_120.events, segments=((10.5, 23.0),))


def hfr_240(folder: str) -> Footage:
    return Footage(HFR_240.name, make_video(folder, HFR_240), HFR_240.events, segments=((6.5, 11.0),))


def long_open_gop(folder: str) -> Footage:
    """A keyframe every 12 s, open GOPs (a camera's long-GOP mode): B-frames after a keyframe
    refer to the GOP before it."""
    base = make_video(folder, LONG_GOP)
    path = _once(folder, "long_open_gop.mp4", lambda out: _ffmpeg(
        "-i", base, "-c:v", "libx264", "-preset", "medium", "-g", "360", "-keyint_min", "360", "-sc_threshold", "0",
        "-x264opts", "open-gop=1", "-c:a", "copy", out))
    return Footage("long_open_gop.mp4", path, LONG_GOP.events, segments=((28.0, 60.0),))


HFR_GOP_CASES = (hfr_120, hfr_240, long_open_gop)
ALL_CASES = EDIT_LIST_CASES + VFR_CASES + TS_CASES + HFR_GOP_CASES


def write_manifest(folder: str, footage: list[Footage], name: str = "manifest.jsonl") -> str:
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as handle:
        for item in footage:
            for row in item.rows():
                handle.write(json.dumps(row) + "\n")
    return path
PROBE_REFERENCE_CASES = ALL_CASES
