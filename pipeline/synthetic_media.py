"""Videos with known content, made with ffmpeg: for the demo corpus, the tests and the benchmark.

Each video is a grey (or noisy test-pattern) picture on which whole-frame colours are
painted at known times, so that a test can check the pixels at any remapped timestamp.
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import subprocess
from fractions import Fraction
from typing import Optional, Sequence, Union

from transforms.media.ffmpeg_commands import ffmpeg_binary

COLORS = {
    "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0),
    "magenta": (255, 0, 255), "cyan": (0, 255, 255), "white": (255, 255, 255),
}
BACKGROUND = (128, 128, 128)


@dataclasses.dataclass(frozen=True)
class Event:
    start: float
    end: float
    color: str

    def annotation(self) -> dict:
        return {"start": self.start, "end": self.end, "label": self.color}


@dataclasses.dataclass(frozen=True)
class VideoSpec:
    name: str                     # file name; the extension picks the container
    seconds: float
    events: tuple[Event, ...] = ()
    size: tuple[int, int] = (320, 240)
    fps: Union[int, str] = 25    # a number, or a ratio such as "30000/1001" (NTSC)
    gop_seconds: float = 2.0
    audio: bool = True
    video_codec: str = "libx264"
    audio_codec: str = "aac"
    bitrate: Optional[str] = None  # e.g. "40M" with noise, for a large file
    noise: bool = False
    rotation: int = 0
    preset: str = "ultrafast"     # "medium" makes B-frames, as real cameras' encoders do


def _filter(spec: VideoSpec) -> str:
    parts = ["noise=alls=60:allf=t"] if spec.noise else []
    for e in spec.events:
        r, g, b = COLORS[e.color]
        parts.append(f"drawbox=enable='between(t,{e.start},{e.end})':x=0:y=0:w=iw:h=ih:c=0x{r:02x}{g:02x}{b:02x}:t=fill")
    return ",".join(parts) or "null"


def make_video(folder: str, spec: VideoSpec) -> str:
    """Write the video (if it is not there yet) and return its path."""
    path = os.path.join(folder, spec.name)
    if os.path.exists(path):
        return path
    w, h = spec.size
    base = "testsrc2" if spec.noise else "color=c=0x808080"
    source = f"{base}=s={w}x{h}:r={spec.fps}:d={spec.seconds}" if spec.noise else \
        f"{base}:s={w}x{h}:r={spec.fps}:d={spec.seconds}"
    cmd = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", source]
    if spec.audio:
        cmd += ["-f", "lavfi", "-i", f"sine=f=440:sample_rate=44100:d={spec.seconds}"]
    gop = str(round(spec.gop_seconds * Fraction(str(spec.fps))))
    cmd += ["-vf", _filter(spec), "-c:v", spec.video_codec, "-pix_fmt", "yuv420p", "-g", gop]
    if spec.video_codec == "libx264":
        cmd += ["-preset", spec.preset, "-sc_threshold", "0", "-keyint_min", gop]
    if spec.bitrate:
        cmd += ["-b:v", spec.bitrate, "-maxrate", spec.bitrate, "-bufsize", spec.bitrate]
    if spec.audio:
        cmd += ["-c:a", spec.audio_codec, "-b:a", "64k"]
    tmp = path + ".tmp" + os.path.splitext(path)[1]
    cmd += [tmp]
    subprocess.run(cmd, check=True)
    if spec.rotation:
        rotated = path + ".rot" + os.path.splitext(path)[1]
        subprocess.run([ffmpeg_binary(), "-nostdin", "-loglevel", "error", "-y",
                        "-display_rotation:v:0", str(spec.rotation), "-i", tmp, "-c", "copy", rotated], check=True)
        os.replace(rotated, tmp)
    os.replace(tmp, path)
    return path


def make_broken(folder: str, name: str = "broken.mp4") -> str:
    """An MP4 cut off inside its first kilobytes: no usable moov, no frames."""
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        source = make_video(folder, VideoSpec(name="_whole_for_broken.mp4", seconds=3))
        with open(source, "rb") as src, open(path, "wb") as dst:
            dst.write(src.read(2048))
    return path


# The demo and end-to-end corpus: each source exercises one planner decision.
LONG = VideoSpec(  # over 20 min, keyframes every 6 s: chunked at LOW and at MEDIUM, cut on keyframes
    name="long_lecture.mp4", seconds=1290, size=(320, 240), fps=10, gop_seconds=6,
    events=(Event(10, 14, "blue"), Event(296, 305, "red"), Event(598, 604, "green"),
            Event(897, 903, "cyan"), Event(1195, 1206, "yellow"), Event(1270, 1275, "magenta")))
BIG = VideoSpec(  # over 100 MB: transcoded
    name="big_1080p.mp4", seconds=24, size=(1920, 1080), fps=25, gop_seconds=4, bitrate="60M", noise=True,
    events=(Event(3, 6, "red"), Event(12, 15, "blue"), Event(19, 22, "green")))
MATROSKA = VideoSpec(  # a container Vertex does not list, streams MP4 carries: remuxed
    name="matroska_clip.mkv", seconds=40, events=(Event(5, 9, "green"), Event(30, 33, "red")))
AVI_MPEG4 = VideoSpec(  # MPEG-4 part 2 in AVI: transcoded
    name="old_camera.avi", seconds=30, video_codec="mpeg4", audio_codec="mp3",
    events=(Event(4, 8, "yellow"), Event(20, 24, "blue")))
SILENT = VideoSpec(  # compliant, no audio: copied as is
    name="silent.mp4", seconds=20, audio=False, events=(Event(2, 5, "magenta"), Event(11, 14, "cyan")))
OFFSET_TS = VideoSpec(  # MPEG-TS starts its clock at ~1.4 s: times must still count from the first frame
    name="broadcast.ts", seconds=30, events=(Event(3, 6, "red"), Event(15, 19, "green")))
ROTATED = VideoSpec(  # a phone video with rotation metadata: transcoded upright
    name="phone_portrait.mp4", seconds=15, rotation=90, events=(Event(4, 7, "blue"),))

CORPUS = (LONG, BIG, MATROSKA, AVI_MPEG4, SILENT, OFFSET_TS, ROTATED)
PROMPT = "List every colour event in this video with its start and end as MM:SS."


def _fingerprint(specs: Sequence[VideoSpec]) -> str:
    """Changes whenever the videos would come out differently."""
    return hashlib.sha1((repr(specs) + repr(COLORS) + _filter.__code__.co_code.hex()).encode()).hexdigest()[:12]


def build_corpus(root: str, specs: Sequence[VideoSpec] = CORPUS, with_broken: bool = True) -> str:
    """Make the videos and a manifest (manifest.jsonl) that uses them; return the manifest path.

    They go in a subfolder of `root` named by what they are made from, so a cache is reused
    only when it holds the same videos, and processes that share `root` (test workers, the
    demo) wait for each other instead of writing the same files at once.
    """
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_corpus(os.path.join(root, f"corpus-{_fingerprint(specs)}"), specs, with_broken)


def _build_corpus(folder: str, specs: Sequence[VideoSpec], with_broken: bool) -> str:
    os.makedirs(folder, exist_ok=True)
    rows = []
    for spec in specs:
        make_video(folder, spec)
        rows.append({"id": spec.name.split(".")[0], "video_uri": spec.name, "prompt": PROMPT,
                     "annotations": [e.annotation() for e in spec.events]})
    # More tasks on the same sources: probed and cut once, shared by every row that uses them.
    rows.append({"id": "long_lecture-seconds", "video_uri": LONG.name, "prompt": PROMPT + " Use seconds.",
                 "annotations": [{"start": f"{e.start}s", "end": f"{e.end}s", "label": e.color}
                                 for e in LONG.events]})
    rows.append({"id": "long_lecture-segment", "video_uri": LONG.name, "prompt": PROMPT,
                 "start": "04:50", "end": "10:10",
                 "annotations": [e.annotation() for e in LONG.events if 290 <= e.start and e.end <= 610]})
    rows.append({"id": "silent-caption", "video_uri": SILENT.name, "prompt": "Describe this video in one line.",
                 "response": "A grey screen that flashes magenta, then cyan."})
    rows.append({"id": "matroska-clock", "video_uri": MATROSKA.name,
                 "prompt": "When is the screen green or red? Answer with MM:SS.",
                 "annotations": [{"start": "00:05", "end": "00:09", "label": "green"},
                                 {"start": "0:30", "end": "0:33", "label": "red"}]})
    rows.append({"id": "big-points", "video_uri": BIG.name, "prompt": "When does each colour appear?",
                 "annotations": [{"start": e.start + 1, "label": e.color} for e in BIG.events]})
    if with_broken:
        make_broken(folder)
        rows.append({"id": "broken", "video_uri": "broken.mp4", "prompt": PROMPT, "annotations": []})
    manifest = os.path.join(folder, "manifest.jsonl")
    with open(manifest + ".tmp", "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    os.replace(manifest + ".tmp", manifest)
    return manifest
