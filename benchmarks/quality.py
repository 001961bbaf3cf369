"""Picture quality of the clips a run wrote, against the source, at the frames the model samples.

For each clip (from the pipeline's index): the source from the clip's `source_start` for its
duration and the clip itself, both sampled at 1 frame a second (what the tuning service sees by
default), the clip scaled to the source's size, compared with ffmpeg's `psnr` and `ssim` filters.
A stream-copied clip gives an infinite PSNR and an SSIM of 1: the same pictures.
"""
from __future__ import annotations

import glob
import math
import os
import re
import subprocess
from typing import Optional

from transforms.media.ffmpeg_commands import ffmpeg_binary

_PSNR = re.compile(r"PSNR .*? average:(inf|[0-9.]+)")
_SSIM = re.compile(r"SSIM .*? All:([0-9.]+)")


def clip_quality(source: str, start: float, duration: float, clip: str, width: int, height: int,
                 sample_fps: float = 1.0) -> tuple[float, float]:
    """(PSNR dB, SSIM) of `clip` against [start, start + duration) of `source`, at `sample_fps`."""
    graph = (f"[0:v]setpts=PTS-STARTPTS,fps={sample_fps},scale={width}:{height},split[r1][r2];"
             f"[1:v]setpts=PTS-STARTPTS,fps={sample_fps},scale={width}:{height}:flags=bicubic,split[d1][d2];"
             "[d1][r1]psnr[p];[d2][r2]ssim[s]")
    done = subprocess.run(
        [ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "info",
         "-ss", f"{start:.6f}", "-t", f"{duration:.6f}", "-i", source, "-i", clip,
         "-filter_complex", graph, "-map", "[p]", "-f", "null", "-", "-map", "[s]", "-f", "null", "-"],
        capture_output=True, text=True, check=True)
    psnr, ssim = _PSNR.search(done.stderr), _SSIM.search(done.stderr)
    if not psnr or not ssim:
        raise ValueError(f"no PSNR/SSIM in ffmpeg's output for {clip}: {done.stderr[-400:]}")
    return (math.inf if psnr.group(1) == "inf" else float(psnr.group(1))), float(ssim.group(1))


def run_quality(out: str, sizes: dict[str, tuple[int, int]], kinds: tuple[str, ...] = ("big",)) -> Optional[dict]:
    """Mean PSNR/SSIM over the distinct clips of the sources whose names start with `kinds`."""
    import pyarrow.parquet as pq

    files = sorted(glob.glob(os.path.join(out, "index", "*.parquet")))
    if not files:
        return None
    seen, psnrs, ssims = set(), [], []
    for row in pq.read_table(files).to_pylist():
        name = os.path.basename(row["source_uri"])
        if row["file_uri"] in seen or not name.startswith(kinds):
            continue
        seen.add(row["file_uri"])
        psnr, ssim = clip_quality(row["source_uri"], row["source_start"], row["duration"], row["file_uri"],
                                  *sizes[name])
        psnrs.append(psnr)
        ssims.append(ssim)
    if not psnrs:
        return None
    finite = [p for p in psnrs if math.isfinite(p)]
    return {"clips": len(psnrs), "identical": len(psnrs) - len(finite),
            "psnr_db": round(sum(finite) / len(finite), 2) if finite else math.inf,
            "ssim": round(sum(ssims) / len(ssims), 4)}
