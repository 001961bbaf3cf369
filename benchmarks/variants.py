"""What each benchmark variant runs, as plain commands: the pipeline, the floor, naive, video2dataset.

The floor is what an expert would type, knowing every video: copy the compliant, stream-copy
the long into pieces under the limit, transcode the big once (same video encoder settings as the
pipeline, so both write the same pictures; the sound encoded again to AAC, as the pipeline did
until it learned to copy it: the "sound copied" floor shows what that saves). Naive re-encodes
every video to 720p and then cuts.
"""
from __future__ import annotations

import math
import os
import shlex
import sys

from benchmarks.corpus import BenchVideo, Corpus
from transforms.media.ffmpeg_commands import ffmpeg_binary
from transforms.gemini.limits import default_limits
from transforms.core.planner import transcode_settings
from transforms.core.types import VideoInfo

HEIGHT = 720  # MEDIUM's height cap
_FF = "{ff} -nostdin -hide_banner -loglevel error -y"


def pieces(seconds: float, clip_seconds: float) -> list[tuple[float, float]]:
    """Even pieces under the limit with 1 s of margin, as the pipeline plans them before keyframes."""
    count = max(1, math.ceil(seconds / (clip_seconds - 1)))
    step = seconds / count
    return [(round(i * step, 3), round((i + 1) * step, 3)) for i in range(count)]


def _info(corpus: Corpus, video: BenchVideo) -> VideoInfo:
    spec = video.spec
    return VideoInfo(uri=corpus.path(video), size_bytes=os.path.getsize(corpus.path(video)), container="mp4",
                     duration=spec.seconds, video_codec="h264", width=spec.size[0], height=spec.size[1],
                     fps=spec.fps, rotation=0, has_audio=spec.audio, audio_codec="aac", input_offset=0.0)


def _limits(corpus: Corpus):
    return default_limits("MEDIUM", corpus.max_bytes, corpus.clip_seconds, HEIGHT)


def _encode_args(corpus: Corpus, video: BenchVideo, seconds: float, copy_sound: bool = False) -> str:
    s = transcode_settings(_info(corpus, video), seconds, _limits(corpus))
    sound = "-c:a copy" if copy_sound else f"-c:a aac -b:a {s.audio_bitrate} -ac 2"
    return (f"-vf scale=-2:{s.height} -c:v libx264 -preset veryfast -b:v {s.video_bitrate} "
            f"-maxrate {int(s.video_bitrate * 1.5)} -bufsize {s.video_bitrate * 2} -pix_fmt yuv420p "
            f"{sound} -movflags +faststart")


def _cut(ff: str, src: str, start: float, end: float, out: str) -> str:
    ss = f"-ss {start:.3f} " if start > 0 else ""
    return (f"{_FF.format(ff=ff)} {ss}-i {shlex.quote(src)} -t {end - start:.3f} -map 0:v:0 -map 0:a? "
            f"-c copy -avoid_negative_ts make_zero -movflags +faststart {shlex.quote(out)}")


def floor_jobs(corpus: Corpus, out: str, copy_sound: bool = False) -> list[str]:
    """`copy_sound`: the big files' AAC sound copied, not encoded again (as the pipeline does
    since issue 14: a whole-file transcode keeps a plain source's AAC)."""
    ff = ffmpeg_binary()
    jobs = []
    for video in corpus.videos:
        src, stem = corpus.path(video), video.spec.name.rsplit(".", 1)[0]
        if video.kind == "compliant":
            jobs.append(f"cp {shlex.quote(src)} {shlex.quote(os.path.join(out, video.spec.name))}")
        elif video.kind == "long":
            for i, (start, end) in enumerate(pieces(video.spec.seconds, corpus.clip_seconds)):
                jobs.append(_cut(ff, src, start, end, os.path.join(out, f"{stem}_{i}.mp4")))
        else:
            jobs.append(f"{_FF.format(ff=ff)} -i {shlex.quote(src)} "
                        f"{_encode_args(corpus, video, video.spec.seconds, copy_sound)} "
                        f"{shlex.quote(os.path.join(out, stem + '.mp4'))}")
    return jobs


def naive_jobs(corpus: Corpus, out: str) -> list[str]:
    """One job per video: re-encode the whole video to 720p, then cut the re-encode when too long."""
    ff = ffmpeg_binary()
    jobs = []
    for video in corpus.videos:
        src, stem = corpus.path(video), video.spec.name.rsplit(".", 1)[0]
        full = os.path.join(out, f"{stem}_720p.mp4")
        encode = (f"{_FF.format(ff=ff)} -i {shlex.quote(src)} "
                  f"{_encode_args(corpus, video, min(video.spec.seconds, corpus.clip_seconds))} "
                  f"{shlex.quote(full)}")
        steps = [encode]
        if video.spec.seconds > corpus.clip_seconds - 1:
            for i, (start, end) in enumerate(pieces(video.spec.seconds, corpus.clip_seconds)):
                steps.append(_cut(ff, full, start, end, os.path.join(out, f"{stem}_{i}.mp4")))
            steps.append(f"rm {shlex.quote(full)}")
        jobs.append(" && ".join(steps))
    return jobs


def shell_loop(jobs_file: str, parallel: int) -> list[str]:
    """Run every line of `jobs_file` as a shell command, `parallel` at a time."""
    return ["sh", "-c", f"xargs -d '\\n' -P {parallel} -I CMD sh -c CMD < {shlex.quote(jobs_file)}"]


def pipeline_command(corpus: Corpus, manifest: str, out: str, workers: int, extra: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "pipeline.run", "--manifest", manifest, "--output", out,
            "--media_resolution", "MEDIUM", "--max_clip_seconds", str(corpus.clip_seconds),
            "--max_file_bytes", str(corpus.max_bytes), "--num_shards", "1",
            "--direct_running_mode=multi_threading", f"--direct_num_workers={workers}",
            "--report", "none", *extra]  # the dataset is measured; the report's pass (thumbnails) is extra


# The choices of issue 14, each run next to the default: big files split by stream copy instead of
# transcoded, and transcodes capped at 8 frames a second (4 x what the model samples by default,
# 2 x the most --fps 4 asks; the corpus is 25 fps, so 68% fewer frames to encode).
CHOICES = {
    "(a) pipeline, --oversize split": ("--oversize", "split"),
    "(a) pipeline, --max_output_fps 8": ("--max_output_fps", "8"),
}


def v2d_groups(corpus: Corpus) -> list[dict]:
    """video2dataset jobs doing the same work: compliant as they are, long cut, big resized."""
    def rows(kind, clips):
        return [{"url": corpus.path(v), **({"clips": [list(p) for p in pieces(v.spec.seconds, corpus.clip_seconds)]}
                                           if clips else {})}
                for v in corpus.videos if v.kind == kind]
    return [
        {"name": "compliant", "rows": rows("compliant", False), "subsampling": {}},
        {"name": "long", "rows": rows("long", True),
         "subsampling": {"ClippingSubsampler": {"args": {"precision": "exact", "min_length": 0.0}}}},
        {"name": "big", "rows": rows("big", False),
         "subsampling": {"ResolutionSubsampler": {"args": {"resize_mode": "scale", "height": HEIGHT}}}},
    ]
