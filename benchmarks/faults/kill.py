"""Killed at random: SIGKILL every process of a local run at K points, finish it on the same output.

    python -m benchmarks.faults.kill --work /tmp/kill [--points all|N] [--seed 15]

A clean run first, watched: when each kill point's condition first held (the output folder's
contents, or an ffmpeg process running). Then, for each point, a fresh output: the run is
started in its own process group, killed (os.killpg, SIGKILL: the runner, its workers, ffmpeg
and the probe children at once) when the condition holds plus a seeded delay of up to 0.3 s,
and run again on the same output to the end. The second run must exit 0 and leave JSONL,
index and drops byte-identical to the clean run, every clip whole, no temporary file and no
stale `_meta` (benchmarks/faults/verify.py).
"""
from __future__ import annotations

import dataclasses
import glob
import json
import os
import random
import shutil
import sys
import time
from typing import Callable

from benchmarks.faults.cli import finish, scenario_parser
from benchmarks.faults import verify
from benchmarks.faults.process import GroupRun, group_members, pipeline_command
from pipeline.synthetic_media import PROMPT, Event, VideoSpec, make_broken, make_video

# Small, but every planner decision and enough of each stage to land a kill in it.
SOURCES = (
    VideoSpec(name="long.mp4", seconds=400, size=(96, 64), fps=5, gop_seconds=5, audio=False,
              events=(Event(20, 30, "red"), Event(310, 320, "green"))),             # cut in two
    VideoSpec(name="camera.avi", seconds=24, size=(160, 120), video_codec="mpeg4", audio_codec="mp3",
              events=(Event(4, 8, "yellow"),)),                                       # transcode
    VideoSpec(name="phone.mp4", seconds=12, size=(120, 160), rotation=90, events=(Event(3, 6, "blue"),)),
    VideoSpec(name="clip.mkv", seconds=20, size=(96, 64), events=(Event(5, 9, "green"),)),   # remux
    VideoSpec(name="broadcast.ts", seconds=20, size=(96, 64), events=(Event(3, 6, "red"),)),  # remux
    VideoSpec(name="silent.mp4", seconds=15, size=(96, 64), audio=False, events=(Event(2, 5, "cyan"),)),
    VideoSpec(name="second.avi", seconds=16, size=(160, 120), video_codec="mpeg4", audio_codec="mp3",
              events=(Event(9, 12, "magenta"),)),
    VideoSpec(name="third.mkv", seconds=18, size=(96, 64), events=(Event(1, 3, "white"),)),
)
RUN_FLAGS = ["--media_resolution", "MEDIUM", "--num_shards", "4", "--ffmpeg_threads", "1",
             "--max_drop_rate", "1.0", "--media_uri_prefix", verify.MEDIA_PREFIX]


def make_corpus(folder: str) -> str:
    os.makedirs(folder, exist_ok=True)
    rows = []
    for spec in SOURCES:
        make_video(folder, spec)
        for n, prompt in enumerate((PROMPT, PROMPT + " Use seconds.")):
            rows.append({"id": f"{spec.name.split('.')[0]}-{n}", "video_uri": spec.name, "prompt": prompt,
                         "annotations": [e.annotation() for e in spec.events]})
    make_broken(folder)
    rows.append({"id": "broken", "video_uri": "broken.mp4", "prompt": PROMPT, "annotations": []})
    manifest = os.path.join(folder, "manifest.jsonl")
    with open(manifest, "w", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(r) + "\n" for r in rows))
    return manifest


def _count(out: str, pattern: str) -> int:
    return len([p for p in glob.glob(os.path.join(out, pattern)) if not verify.temporary_files(p)])


def _ffmpeg_running(run: GroupRun) -> bool:
    for pid in group_members(run.pgid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]).startswith(b"ffmpeg"):
            return True
    return False


@dataclasses.dataclass(frozen=True)
class KillPoint:
    name: str
    stage: str
    holds: Callable[[str, GroupRun, dict], bool]   # (output, run, clean-run counts) -> kill now


def _clips(out: str) -> int:
    return len([p for p in glob.glob(os.path.join(out, "media", "*")) if os.path.isfile(p)
                and not verify.temporary_files(p)])


POINTS = (
    KillPoint("1 s after start", "start", lambda out, run, n: time.monotonic() - run.started > 1.0),
    KillPoint("first probe result written", "probe", lambda out, run, n: _count(out, "media/_probe/*.json") >= 1),
    KillPoint("half the probe results written", "probe",
              lambda out, run, n: _count(out, "media/_probe/*.json") >= max(1, n["probes"] // 2)),
    KillPoint("ffmpeg running", "cut", lambda out, run, n: _ffmpeg_running(run)),
    KillPoint("first clip published", "cut", lambda out, run, n: _clips(out) >= 1),
    KillPoint("half the clips measured", "cut",
              lambda out, run, n: _count(out, "media/_meta/*.json") >= max(1, n["metas"] // 2)),
    KillPoint("every clip measured", "cut/write",
              lambda out, run, n: _count(out, "media/_meta/*.json") >= n["metas"]),
    KillPoint("first shard written", "write",
              lambda out, run, n: _count(out, "shards/*") + _count(out, "index/*") >= 1),
    KillPoint("train.jsonl written, stats.json not yet", "write",
              lambda out, run, n: os.path.exists(os.path.join(out, "train.jsonl"))),
)


OUR_SCRATCH = ("cut-", "probe-", "fetch-")  # transforms/store/scratch.py's folders


def _scratch_env(folder: str) -> dict:
    """The runs' temporary directory (so their workers' scratch) in a folder of their own, to look at."""
    os.makedirs(folder, exist_ok=True)
    return dict(os.environ, TMPDIR=folder)


def _our_scratch(folder: str) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(OUR_SCRATCH))


def _args(manifest: str, out: str) -> list[str]:
    return pipeline_command(["--manifest", manifest, "--output", out, *RUN_FLAGS])


def clean_run(work: str, manifest: str, timeout: float) -> dict:
    """The reference: run to the end, noting when each point's condition first held."""
    out = os.path.join(work, "clean")
    shutil.rmtree(out, ignore_errors=True)
    run = GroupRun(_args(manifest, out), log_prefix=os.path.join(work, "clean"))
    counts = {"probes": 10 ** 9, "metas": 10 ** 9}
    first = {}
    while run.process.poll() is None and time.monotonic() - run.started < timeout:
        for point in POINTS:
            if point.name not in first and point.holds(out, run, counts):
                first[point.name] = round(time.monotonic() - run.started, 2)
        time.sleep(0.05)
    outcome = run.wait(timeout)
    if outcome.returncode != 0:
        raise RuntimeError(f"the clean run failed ({outcome.returncode}): {outcome.stderr[-2000:]}")
    counts = {"probes": _count(out, "media/_probe/*.json"), "metas": _count(out, "media/_meta/*.json")}
    return {"out": out, "seconds": round(outcome.seconds, 1), "counts": counts, "first_seen": first,
            "peak_rss_bytes": outcome.peak_rss_bytes}


def kill_and_finish(work: str, manifest: str, point: KillPoint, clean: dict, rng: random.Random,
                    timeout: float) -> dict:
    out = os.path.join(work, f"killed-{POINTS.index(point)}")
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out + "-scratch", ignore_errors=True)
    env = _scratch_env(out + "-scratch")
    run = GroupRun(_args(manifest, out), log_prefix=out + "-first", env=env)
    held = run.wait_until(lambda: point.holds(out, run, clean["counts"]), timeout)
    delay = rng.uniform(0, 0.3)
    time.sleep(delay if held else 0)
    killed_at = round(time.monotonic() - run.started, 2)
    ended_by_itself = run.process.poll() is not None
    run.kill()
    left = {"temporary_files": len(verify.temporary_files(out)),
            "probes": _count(out, "media/_probe/*.json"), "metas": _count(out, "media/_meta/*.json"),
            "clips": _clips(out), "stats_json": os.path.exists(os.path.join(out, "stats.json")),
            "scratch_folders": len(_our_scratch(env["TMPDIR"]))}
    finish = GroupRun(_args(manifest, out), log_prefix=out + "-finish", env=env).wait(timeout)
    problems = []
    if not held or ended_by_itself:
        problems.append("the point was not reached before the run ended: not a kill")
    if finish.returncode != 0:
        problems.append(f"the finishing run failed ({finish.returncode}): {finish.stderr[-1500:]}")
    else:
        problems += verify.differences(clean["out"], out)
        problems += verify.clip_problems(out)
        problems += [f"temporary file left: {p}" for p in verify.temporary_files(out)]
        problems += [f"a dead worker's scratch folder left: {n}" for n in _our_scratch(env["TMPDIR"])]
    stats = {}
    if os.path.exists(os.path.join(out, "stats.json")):
        with open(os.path.join(out, "stats.json"), encoding="utf-8") as handle:
            stats = json.load(handle)
    return {"point": point.name, "stage": point.stage, "killed_at_seconds": killed_at,
            "delay_seconds": round(delay, 2), "left_by_the_kill": left,
            "finish_seconds": round(finish.seconds, 1), "finish_clips_made": stats.get("clips_made"),
            "finish_clips_reused": stats.get("clips_reused"), "finish_probes_reused": stats.get("probes_reused"),
            "identical": not problems, "problems": problems}


def kill_scenario(work: str, points=POINTS, seed: int = 15, timeout: float = 900.0) -> dict:
    os.makedirs(work, exist_ok=True)
    manifest = make_corpus(os.path.join(work, "corpus"))
    clean = clean_run(work, manifest, timeout)
    rng = random.Random(seed)
    results = [kill_and_finish(work, manifest, p, clean, rng, timeout) for p in points]
    return {"seed": seed, "points": len(results), "identical": sum(r["identical"] for r in results),
            "clean_seconds": clean["seconds"], "clean_counts": clean["counts"],
            "clean_first_seen": clean["first_seen"], "clean_peak_rss_bytes": clean["peak_rss_bytes"],
            "kills": results, "problems": [f"{r['point']}: {p}" for r in results for p in r["problems"]]}


def main(argv=None) -> int:
    parser = scenario_parser(__doc__)
    parser.add_argument("--points", default="all", help="'all', or a comma-separated list of point numbers (0-based)")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    points = POINTS if args.points == "all" else tuple(POINTS[int(i)] for i in args.points.split(","))
    summary = kill_scenario(args.work, points, args.seed)
    return finish(summary, args.json)


if __name__ == "__main__":
    sys.exit(main())
