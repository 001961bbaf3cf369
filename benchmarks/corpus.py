"""The benchmark corpus: a third compliant, a third too long, a third over the size limit.

Built from pipeline/synthetic_media.py. Every video shows a "clock": a full-frame colour
during [2k, 2k+1) seconds (colour k mod 7), background between. From the first colour
change in a clip and the colour it changes to, the source second it shows is known, so the
true start of any clip can be read from its pixels (benchmarks/clip_start.py).

`scale` shrinks every duration and the size limit together, so the same corpus shape runs in
a minute while debugging: at scale 1 it is 24 videos, about an hour, at MEDIUM (300 s clips).
"""
from __future__ import annotations

import dataclasses
import json
import os
from typing import Sequence

from pipeline.synthetic_media import COLORS, Event, VideoSpec, make_video

CLOCK_COLORS = tuple(COLORS)  # index k mod 7 paints the second [2k, 2k+1)
CLOCK_PERIOD = 2 * len(CLOCK_COLORS)  # seconds before the clock pattern repeats
PROMPT = "List every colour flash with its start and end as MM:SS."
CLIP_SECONDS = 300.0   # MEDIUM's limit, at scale 1
MAX_BYTES = 100_000_000
SIZES = ((1280, 720), (1920, 1080))


@dataclasses.dataclass(frozen=True)
class BenchVideo:
    kind: str          # compliant | long | big
    spec: VideoSpec


@dataclasses.dataclass(frozen=True)
class Corpus:
    folder: str
    manifest: str
    videos: tuple[BenchVideo, ...]
    clip_seconds: float   # the length limit every variant works to
    max_bytes: int        # the size limit every variant works to

    def path(self, video: BenchVideo) -> str:
        return os.path.join(self.folder, video.spec.name)


def clock_events(seconds: float) -> tuple[Event, ...]:
    return tuple(Event(2 * k, 2 * k + 1, CLOCK_COLORS[k % len(CLOCK_COLORS)])
                 for k in range(int(seconds // 2)) if 2 * k + 1 <= seconds)


def corpus_specs(scale: float = 1.0, per_kind: int = 8) -> tuple[BenchVideo, ...]:
    """24 videos at scale 1: ~12 min compliant, ~45 min too long, ~3.5 min over 100 MB."""
    videos = []
    for i in range(per_kind):
        size = SIZES[i % 2]
        tag = f"{size[1]}p"
        compliant_s = round((60 + 15 * i) * scale, 1)          # 60 .. 165 s
        long_s = round((CLIP_SECONDS + 20 + 10 * i) * scale, 1)  # 320 .. 390 s: two clips each
        big_s = round(26 * scale, 1)
        videos.append(BenchVideo("compliant", VideoSpec(
            name=f"compliant_{i:02d}_{tag}.mp4", seconds=compliant_s, size=size, fps=25,
            gop_seconds=2, events=clock_events(compliant_s))))
        videos.append(BenchVideo("long", VideoSpec(
            name=f"long_{i:02d}_{tag}.mp4", seconds=long_s, size=size, fps=25,
            gop_seconds=2, events=clock_events(long_s))))
        # Noise makes the bitrate stick: ~60 Mb/s of 1080p or 720p, well over the size limit.
        videos.append(BenchVideo("big", VideoSpec(
            name=f"big_{i:02d}_{tag}.mp4", seconds=big_s, size=size, fps=25, gop_seconds=2,
            noise=True, bitrate="60M", events=clock_events(big_s))))
    return tuple(videos)


def build(folder: str, scale: float = 1.0, per_kind: int = 8) -> Corpus:
    """Make (or reuse) the videos and a MEDIUM manifest with a few annotations per video."""
    os.makedirs(folder, exist_ok=True)
    videos = corpus_specs(scale, per_kind)
    rows = []
    for video in videos:
        make_video(folder, video.spec)
        events = video.spec.events
        annotations = [e.annotation() for e in events[:: max(1, len(events) // 6)]]
        rows.append({"id": video.spec.name.rsplit(".", 1)[0], "video_uri": video.spec.name,
                     "prompt": PROMPT, "annotations": annotations})
    manifest = os.path.join(folder, "manifest.jsonl")
    with open(manifest, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return Corpus(folder=folder, manifest=manifest, videos=videos,
                  clip_seconds=round(CLIP_SECONDS * scale, 3),
                  max_bytes=max(int(MAX_BYTES * scale), 1_000_000))


def total_seconds(videos: Sequence[BenchVideo]) -> float:
    return sum(v.spec.seconds for v in videos)
