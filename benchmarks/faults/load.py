"""Load: a manifest of many rows over many short sources on the DirectRunner, then a rerun.

    python -m benchmarks.faults.load --work /tmp/load [--sources 1000 --rows-per-source 100]

The sources are 2 s Matroska files at 64x64 (remuxed into MP4: one ffmpeg run each); ten are
encoded and each copied to make the rest (a copy is its own source: its own size and mtime,
so its own identity, probe and clip). The first run does all the work; the rerun on the same
output has nothing new: every probe and clip is found, only the dataset files are written again.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

from benchmarks.faults.process import run_pipeline
from pipeline.synthetic_media import COLORS, Event, VideoSpec, make_video

_DISTINCT = 10


def make_sources(folder: str, count: int) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    colours = sorted(COLORS)
    bases = [make_video(folder, VideoSpec(name=f"base-{i}.mkv", seconds=2, size=(64, 64), fps=10, gop_seconds=1,
                                          audio=False, events=(Event(0.5, 1.5, colours[i % len(colours)]),)))
             for i in range(_DISTINCT)]
    names = []
    for i in range(count):
        name = f"source-{i:05d}.mkv"
        if not os.path.exists(os.path.join(folder, name)):
            shutil.copyfile(bases[i % _DISTINCT], os.path.join(folder, name))
        names.append(name)
    return names


def make_manifest(folder: str, names: list[str], rows_per_source: int) -> str:
    path = os.path.join(folder, "manifest.jsonl")
    with open(path, "w", encoding="utf-8") as handle:
        for name in names:
            for k in range(rows_per_source):
                handle.write(json.dumps({
                    "id": f"{name[:-4]}-{k:03d}", "video_uri": name,
                    "prompt": f"Task {k}: when is the screen coloured? Answer with MM:SS.",
                    "annotations": [{"start": 0.5, "end": 1.5, "label": f"event {k}"}]}) + "\n")
    return path


def _figures(outcome, out: str, rows: int) -> dict:
    with open(os.path.join(out, "stats.json"), encoding="utf-8") as handle:
        stats = json.load(handle)
    return {"returncode": outcome.returncode, "seconds": round(outcome.seconds, 1),
            "ms_per_row": round(1000 * outcome.seconds / rows, 3), "peak_rss_bytes": outcome.peak_rss_bytes,
            "peak_process_rss_bytes": outcome.peak_process_rss_bytes, "verdict": stats["gate"]["verdict"],
            "rows_out": stats["rows_out"], "rows_dropped": stats["rows_dropped"],
            "clips_made": stats["clips_made"], "clips_reused": stats["clips_reused"],
            "probes_made": stats["probes_made"], "probes_reused": stats["probes_reused"]}


def load_scenario(work: str, sources: int = 1000, rows_per_source: int = 100) -> dict:
    corpus = os.path.join(work, "corpus")
    names = make_sources(corpus, sources)
    manifest = make_manifest(corpus, names, rows_per_source)
    rows = sources * rows_per_source
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    args = ["--manifest", manifest, "--output", out, "--num_shards", "16"]
    first = run_pipeline(args, timeout=3600, log_prefix=os.path.join(work, "first"))
    first_figures = _figures(first, out, rows)
    again = run_pipeline(args, timeout=3600, log_prefix=os.path.join(work, "rerun"))
    again_figures = _figures(again, out, rows)
    problems = []
    if first.returncode != 0 or again.returncode != 0:
        problems.append(f"exit {first.returncode} then {again.returncode}: {again.stderr[-800:]}")
    if again_figures["clips_made"] or again_figures["probes_made"]:
        problems.append("the rerun redid work")
    if again.seconds >= 0.10 * first.seconds:
        problems.append(f"the rerun took {100 * again.seconds / first.seconds:.0f} % of the first run (target < 10 %)")
    return {"rows": rows, "sources": sources, "source_desc": "2 s Matroska, 64x64, remuxed",
            "first": first_figures, "rerun": again_figures, "problems": problems}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--rows-per-source", type=int, default=100)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    summary = load_scenario(args.work, args.sources, args.rows_per_source)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=1)
    print(json.dumps(summary, indent=1))
    return 0 if not summary["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
