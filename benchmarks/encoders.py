"""Encoder candidates for the transcode step: speed, size and quality on the same clip.

    python -m benchmarks.encoders [--seconds 8]

Encodes a 1080p noisy test pattern (the benchmark's "big" kind: the hardest case for rate
control) to 720p with each candidate, one thread each, and prints CPU seconds, output size
and PSNR/SSIM against the source scaled to 720p. The pipeline's bitrate is the one
transforms.core.planner.transcode_settings picks for a 300 s clip at MEDIUM.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import tempfile

from pipeline.synthetic_media import VideoSpec, make_video
from transforms.media.ffmpeg_commands import ffmpeg_binary

FF = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
BITRATE = 2_400_000  # ~ what 90 MB over 300 s leaves for video after 64 kb/s of audio


def candidates() -> dict[str, list[str]]:
    abr = ["-b:v", str(BITRATE), "-maxrate", str(int(BITRATE * 1.5)), "-bufsize", str(BITRATE * 2)]
    return {
        "x264 ultrafast ABR": ["-c:v", "libx264", "-preset", "ultrafast", *abr],
        "x264 superfast ABR": ["-c:v", "libx264", "-preset", "superfast", *abr],
        "x264 veryfast ABR (chosen)": ["-c:v", "libx264", "-preset", "veryfast", *abr],
        "x264 faster ABR": ["-c:v", "libx264", "-preset", "faster", *abr],
        "x264 medium ABR (ffmpeg default preset)": ["-c:v", "libx264", "-preset", "medium", *abr],
        "x264 veryfast CRF 23 (no size control)": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"],
    }


def cpu_of(command: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def quality(encoded: str, reference: str) -> tuple[float, float]:
    out = subprocess.run([*FF[:3], "-loglevel", "info", "-i", encoded, "-i", reference, "-lavfi",
                          "[0:v]split[a][b];[1:v]split[c][d];[a][c]psnr;[b][d]ssim", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    psnr = float(re.search(r"PSNR .*average:([\d.inf]+)", out).group(1))
    ssim = float(re.search(r"SSIM .*All:([\d.]+)", out).group(1))
    return psnr, ssim


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args(argv)
    work = tempfile.mkdtemp(prefix="encoders-")
    source = make_video(work, VideoSpec(name="src.mp4", seconds=args.seconds, size=(1920, 1080), fps=25,
                                        noise=True, bitrate="60M", audio=False))
    reference = os.path.join(work, "ref.mkv")  # the source at 720p, lossless: what a perfect encode shows
    subprocess.run([*FF, "-i", source, "-vf", "scale=-2:720", "-c:v", "ffv1", reference], check=True)
    print(f"{args.seconds:g} s of 1080p25 noisy test pattern -> 720p, 1 thread, {BITRATE / 1e6:g} Mb/s target\n")
    print("| candidate | CPU s | x realtime | size MB | Mb/s | PSNR dB | SSIM |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, codec in candidates().items():
        out = os.path.join(work, "out.mp4")
        cpu = cpu_of([*FF, "-i", source, "-vf", "scale=-2:720", *codec, "-threads", "1", "-pix_fmt", "yuv420p", out])
        size = os.path.getsize(out)
        psnr, ssim = quality(out, reference)
        print(f"| {name} | {cpu:.1f} | {args.seconds / cpu:.2f} | {size / 1e6:.1f} | "
              f"{size * 8 / args.seconds / 1e6:.2f} | {psnr:.2f} | {ssim:.3f} |", flush=True)


if __name__ == "__main__":
    main()
