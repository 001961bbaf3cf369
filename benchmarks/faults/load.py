"""Load: a manifest of many rows over many short sources on the DirectRunner, then a rerun.

    python -m benchmarks.faults.load --work /tmp/load [--sources 1000 --rows-per-source 100]

The sources are 2 s Matroska files at 64x64 (remuxed into MP4: one ffmpeg run each); ten are
encoded and each copied to make the rest (a copy is its own source: its own size and mtime,
so its own identity, probe and clip). The first run does all the work; the rerun on the same
output has nothing new: it must recognise that (the run fingerprint, pipeline/fingerprint.py),
keep the published dataset without writing a byte, and take under 10 % of the first run.
`--full-rerun` then times a rerun that runs the pipeline anyway (`--always_run`: every probe and
clip found in the caches, every dataset file written again, byte-identical).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys

from benchmarks.faults.cli import finish, scenario_parser
from benchmarks.faults import verify
from benchmarks.faults.process import run_pipeline
from pipeline.synthetic_media import COLORS, Event, VideoSpec, make_video

_DISTINCT = 10
KEPT = "Nothing new since this dataset was published"  # what pipeline.run prints when it keeps one


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


def _run_figures(outcome, rows: int) -> dict:
    return {"returncode": outcome.returncode, "seconds": round(outcome.seconds, 1),
            "ms_per_row": round(1000 * outcome.seconds / rows, 3), "peak_rss_bytes": outcome.peak_rss_bytes,
            "peak_process_rss_bytes": outcome.peak_process_rss_bytes}


def _figures(outcome, out: str, rows: int) -> dict:
    with open(os.path.join(out, "stats.json"), encoding="utf-8") as handle:
        stats = json.load(handle)
    return {**_run_figures(outcome, rows), "verdict": stats["gate"]["verdict"],
            "rows_out": stats["rows_out"], "rows_dropped": stats["rows_dropped"],
            "clips_made": stats["clips_made"], "clips_reused": stats["clips_reused"],
            "probes_made": stats["probes_made"], "probes_reused": stats["probes_reused"]}


def snapshot(out: str) -> dict[str, tuple[int, int, str]]:
    """Every file of the output (media/ aside): (size, mtime, sha1). The same snapshot = not a byte written."""
    found = {}
    for root, dirs, names in os.walk(out):
        dirs[:] = [d for d in dirs if os.path.join(root, d) != os.path.join(out, "media")]
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                digest = hashlib.sha1(handle.read()).hexdigest()
            found[os.path.relpath(path, out)] = (os.path.getsize(path), os.stat(path).st_mtime_ns, digest)
    return found


def _dataset_digests(files: dict) -> dict[str, str]:
    wanted = set(verify.dataset_files_of(files))
    return {name: digest for name, (_, _, digest) in files.items() if name in wanted}


def load_scenario(work: str, sources: int = 1000, rows_per_source: int = 100, full_rerun: bool = False) -> dict:
    corpus = os.path.join(work, "corpus")
    names = make_sources(corpus, sources)
    manifest = make_manifest(corpus, names, rows_per_source)
    rows = sources * rows_per_source
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    args = ["--manifest", manifest, "--output", out, "--num_shards", "16"]
    first = run_pipeline(args, timeout=4 * 3600, log_prefix=os.path.join(work, "first"))
    if first.returncode != 0:
        return {"rows": rows, "sources": sources, "first": _run_figures(first, rows),
                "problems": [f"the first run exited {first.returncode}: {first.stderr[-800:]}"]}
    first_figures = _figures(first, out, rows)
    before = snapshot(out)
    again = run_pipeline(args, timeout=3600, log_prefix=os.path.join(work, "rerun"))
    unchanged = snapshot(out) == before
    again_figures = {**_run_figures(again, rows), "kept": KEPT in again.stdout, "files_unchanged": unchanged,
                     "share_of_first": round(again.seconds / first.seconds, 4)}
    problems = []
    if again.returncode != 0:
        problems.append(f"the rerun exited {again.returncode}: {again.stderr[-800:]}")
    if not again_figures["kept"]:
        problems.append("the rerun did not recognise that nothing was new: " + again.stdout[-400:])
    if not unchanged:
        problems.append("the rerun with nothing new changed a file of the output")
    if again.seconds >= 0.10 * first.seconds:
        problems.append(f"the rerun took {100 * again.seconds / first.seconds:.0f} % of the first run (target < 10 %)")
    summary = {"rows": rows, "sources": sources, "source_desc": "2 s Matroska, 64x64, remuxed",
               "first": first_figures, "rerun": again_figures}
    if full_rerun:
        full = run_pipeline(args + ["--always_run"], timeout=4 * 3600, log_prefix=os.path.join(work, "full-rerun"))
        if full.returncode != 0:
            problems.append(f"the --always_run rerun exited {full.returncode}: {full.stderr[-800:]}")
        else:
            full_figures = _figures(full, out, rows)
            full_figures["identical"] = _dataset_digests(snapshot(out)) == _dataset_digests(before)
            full_figures["share_of_first"] = round(full.seconds / first.seconds, 4)
            summary["full_rerun"] = full_figures
            if not full_figures["identical"]:
                problems.append("the --always_run rerun wrote other dataset bytes")
            if full_figures["clips_made"] or full_figures["probes_made"]:
                problems.append("the --always_run rerun redid a probe or a clip")
    summary["problems"] = problems
    return summary


def main(argv=None) -> int:
    parser = scenario_parser(__doc__)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--rows-per-source", type=int, default=100)
    parser.add_argument("--full-rerun", action="store_true",
                        help="also time a rerun that runs the pipeline anyway (--always_run)")
    args = parser.parse_args(argv)
    summary = load_scenario(args.work, args.sources, args.rows_per_source, args.full_rerun)
    return finish(summary, args.json)


if __name__ == "__main__":
    sys.exit(main())
