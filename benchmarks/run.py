"""The benchmark: one corpus, every variant on it in turn, figures printed and written to BENCHMARKS.md.

    python -m benchmarks.run [--scale 1.0] [--per-kind 8] [--skip v2d,naive] [--pairs 3]

Variants: (a) the pipeline on DirectRunner, 2 workers, and its rerun with nothing new;
(b) the floor, an expert's ffmpeg commands in a 2-way shell loop; (c) naive, re-encode every
video to 720p then cut; (d) video2dataset 1.3.0 in its own venv (V2D_PYTHON), exact cuts.
Each runs under benchmarks.measure; (a) and (d) then have every clip's real start read from
its pixels and compared with the start they claim (the pipeline's index) or were asked for (d).
The floor, the floor with the big files' sound copied (as the pipeline now does) and the default
pipeline then run again (--pairs), every other round the pipeline first: the same work took
53-65 s from one run to the next on one machine, so one pair's ratio is not a verdict.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from typing import Optional

from benchmarks import corpus as C
from benchmarks import variants as V
from benchmarks.clip_start import real_start
from benchmarks.quality import run_quality

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "gemini-video-dataset")
COPY_FLOOR = "(b) floor, the big files' sound copied"
MARK_BEGIN, MARK_END = "<!-- benchmark output: begin -->", "<!-- benchmark output: end -->"


def measured(name: str, command: list[str], work: str, env: Optional[dict] = None) -> dict:
    out = os.path.join(work, f"{name}.measure.json")
    done = subprocess.run([sys.executable, "-m", "benchmarks.measure", out, "--", *command],
                          cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with open(out) as handle:
        result = json.load(handle)
    if done.returncode != 0:
        result["error"] = done.stderr.decode("utf-8", "replace")[-2000:]
    print(f"  {name}: {result['wall_s']} s wall, exit {result['exit_code']}", flush=True)
    return result


def shell_variant(name: str, jobs: list[str], work: str) -> dict:
    out = os.path.join(work, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    jobs_file = os.path.join(work, f"{name}.jobs")
    with open(jobs_file, "w") as handle:
        handle.write("\n".join(jobs) + "\n")
    result = measured(name, V.shell_loop(jobs_file, 2), work)
    result["outputs"] = len(glob.glob(os.path.join(out, "*.mp4")))
    return result


def floor_variant(what: str, corpus: C.Corpus, work: str) -> dict:
    """The floor ("floor"), or the floor with the big files' sound copied ("floor-copy"), measured."""
    return shell_variant(what, V.floor_jobs(corpus, os.path.join(work, what), copy_sound=what == "floor-copy"), work)


def rerun_wall(what: str, corpus: C.Corpus, work: str, env: dict) -> float:
    """One more run of a floor or of the default pipeline (into a fresh folder): its wall seconds."""
    if what in ("floor", "floor-copy"):
        return floor_variant(what, corpus, work)["wall_s"]
    fresh = os.path.join(work, "pipeline-pair")
    shutil.rmtree(fresh, ignore_errors=True)
    return measured("pipeline-pair", V.pipeline_command(corpus, corpus.manifest, fresh, 2), work, env)["wall_s"]


def pipeline_errors(out: str) -> list[dict]:
    import pyarrow.parquet as pq

    rows = pq.read_table(sorted(glob.glob(os.path.join(out, "index", "*.parquet")))).to_pylist()
    seen, errors = set(), []
    for row in sorted(rows, key=lambda r: (r["source_uri"], r["source_start"])):
        if row["file_uri"] in seen:
            continue
        seen.add(row["file_uri"])
        errors.append(_error(row["file_uri"], row["source_uri"], row["source_start"], row["action"]))
    return errors


def v2d_errors(out: str) -> list[dict]:
    errors = []
    for meta_path in sorted(glob.glob(os.path.join(out, "*", "*", "*.json"))):
        with open(meta_path) as handle:
            meta = json.load(handle)
        clip = meta_path[:-5] + ".mp4"
        if meta.get("status") != "success" or not os.path.exists(clip):
            continue
        requested = float(meta["clips"][0][0]) if meta.get("clips") else 0.0
        errors.append(_error(clip, meta["url"], requested, os.path.basename(os.path.dirname(os.path.dirname(meta_path)))))
    return errors


def _error(clip: str, source: str, requested: float, kind: str) -> dict:
    real = real_start(clip, requested)
    return {"source": os.path.basename(source), "kind": kind, "requested": round(requested, 3),
            "real": None if real is None else round(real, 3),
            "error": None if real is None else round(real - requested, 3)}


def summarize_errors(errors: list[dict]) -> dict:
    known = [abs(e["error"]) for e in errors if e["error"] is not None]
    return {"clips": len(errors), "measured": len(known), "max_abs_error_s": max(known, default=None),
            "mean_abs_error_s": round(sum(known) / len(known), 4) if known else None}


def probe_reads(corpus: C.Corpus, work: str) -> dict:
    """Bytes the probe reads from a faststart copy of the largest source."""
    from transforms.media.ffmpeg_commands import ffmpeg_binary

    big = max((v for v in corpus.videos), key=lambda v: os.path.getsize(corpus.path(v)))
    faststart = os.path.join(work, "faststart_" + big.spec.name)
    subprocess.run([ffmpeg_binary(), "-nostdin", "-loglevel", "error", "-y", "-i", corpus.path(big), "-c", "copy",
                    "-movflags", "+faststart", faststart], check=True)
    result = measured("probe", [sys.executable, "-m", "transforms.media.probe_media", faststart], work)
    baseline = measured("probe-baseline", [sys.executable, "-c", "import av, json"], work)
    result["file_mb"] = round(os.path.getsize(faststart) / 1e6, 1)
    result["interpreter_read_mb"] = baseline["read_mb"]
    # The probe's own count of the file's bytes it read (what stats.json's probe_bytes_read sums),
    # for that file and for the largest source of each kind (a faststart copy of each).
    result["file_read_mb"] = _probe_count_mb(faststart)
    result["by_kind"] = {}
    for kind in sorted({v.kind for v in corpus.videos}):
        video = max((v for v in corpus.videos if v.kind == kind), key=lambda v: os.path.getsize(corpus.path(v)))
        copy = os.path.join(work, "faststart_" + video.spec.name)
        if not os.path.exists(copy):
            subprocess.run([ffmpeg_binary(), "-nostdin", "-loglevel", "error", "-y", "-i", corpus.path(video),
                            "-c", "copy", "-movflags", "+faststart", copy], check=True)
        result["by_kind"][kind] = (round(os.path.getsize(copy) / 1e6, 1), _probe_count_mb(copy))
    return result


def _probe_count_mb(path: str) -> float:
    found = json.loads(subprocess.run([sys.executable, "-m", "transforms.media.probe_media", path], cwd=ROOT,
                                      capture_output=True, check=True).stdout)
    return round(found["bytes_read"] / 1e6, 3)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {mem} GB RAM, {platform.platform()}, load average {os.getloadavg()[0]:.2f} at start"


def table(results: dict, floor: dict) -> str:
    lines = ["| variant | wall s | CPU s | peak RSS tree MB | largest process MB | read MB | written MB | wall / floor | CPU / floor |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in results.items():
        if "wall_s" not in r:
            lines.append(f"| {name} | {r.get('skipped', 'failed')} | | | | | | | |")
            continue
        lines.append(f"| {name}{' (FAILED)' if r.get('exit_code') else ''} | {r['wall_s']} | {r['cpu_s']} | "
                     f"{r['peak_rss_tree_mb']} | {r['peak_rss_process_mb']} | {r['read_mb']} | {r['written_mb']} | "
                     f"{r['wall_s'] / floor['wall_s']:.2f} | {r['cpu_s'] / max(floor['cpu_s'], 0.01):.2f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="durations and size limit x this (1: ~1 h corpus)")
    parser.add_argument("--per-kind", type=int, default=8, help="videos of each kind (compliant, long, big)")
    parser.add_argument("--skip", default="", help="comma-separated variants to skip: naive,v2d,scaling,choices")
    parser.add_argument("--work", default=None, help="scratch folder for outputs (default under ~/.cache)")
    parser.add_argument("--write-md", action="store_true", help="put the output into BENCHMARKS.md")
    parser.add_argument("--pairs", type=int, default=3,
                        help="floor and default pipeline runs, alternating, for the ratio's median (1: the first only)")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    work = args.work or os.path.join(CACHE, f"bench-work-{args.scale:g}x{args.per_kind}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    print(f"corpus (scale {args.scale:g}, {3 * args.per_kind} videos) ...", flush=True)
    started = time.monotonic()
    corpus = C.build(os.path.join(CACHE, f"bench-corpus-{args.scale:g}x{args.per_kind}"), args.scale, args.per_kind)
    corpus_line = (f"{len(corpus.videos)} videos, {C.total_seconds(corpus.videos) / 60:.1f} min, "
                   f"{sum(os.path.getsize(corpus.path(v)) for v in corpus.videos) / 1e6:.0f} MB "
                   f"(clip limit {corpus.clip_seconds:g} s, size limit {corpus.max_bytes / 1e6:g} MB, 720p), "
                   f"made/checked in {time.monotonic() - started:.0f} s")
    print(corpus_line, flush=True)
    host = machine()
    env = dict(os.environ, GRPC_VERBOSITY="ERROR")

    results: dict[str, dict] = {}
    errors: dict[str, list[dict]] = {}
    results["(b) floor: expert ffmpeg, 2 at a time"] = floor = floor_variant("floor", corpus, work)
    results[COPY_FLOOR] = floor_variant("floor-copy", corpus, work)
    out_a = os.path.join(work, "pipeline")
    results["(a) pipeline, DirectRunner, 2 workers"] = measured(
        "pipeline", V.pipeline_command(corpus, corpus.manifest, out_a, 2), work, env)
    errors["(a) pipeline"] = pipeline_errors(out_a)
    results["(a) rerun, nothing new"] = measured("rerun", V.pipeline_command(corpus, corpus.manifest, out_a, 2), work, env)
    quality = {}
    if "choices" not in skip:
        outs = {"(a) pipeline, DirectRunner, 2 workers": out_a}
        for i, (name, extra) in enumerate(V.CHOICES.items()):
            outs[name] = os.path.join(work, f"pipeline-choice{i}")
            results[name] = measured(f"pipeline-choice{i}", V.pipeline_command(
                corpus, corpus.manifest, outs[name], 2, extra), work, env)
        sizes = {v.spec.name: v.spec.size for v in corpus.videos}
        quality = {name: run_quality(out, sizes) for name, out in outs.items()}
    if "naive" not in skip:
        results["(c) naive: 720p re-encode, then cut"] = shell_variant("naive", V.naive_jobs(corpus, os.path.join(work, "naive")), work)
    if "v2d" not in skip:
        v2d_python = os.environ.get("V2D_PYTHON", os.path.join(ROOT, ".venv-v2d", "bin", "python"))
        name = "(d) video2dataset 1.3.0, exact, 2 processes"
        if not os.path.exists(v2d_python):
            results[name] = {"skipped": f"no {v2d_python}: run benchmarks/run.sh"}
        else:
            jobs = os.path.join(work, "v2d.jobs.json")
            with open(jobs, "w") as handle:
                json.dump(V.v2d_groups(corpus), handle)
            bin_dir = os.path.join(work, "bin")  # video2dataset runs `ffmpeg` from PATH: the same binary as ours
            os.makedirs(bin_dir, exist_ok=True)
            from transforms.media.ffmpeg_commands import ffmpeg_binary
            os.symlink(ffmpeg_binary(), os.path.join(bin_dir, "ffmpeg"))
            v2d_env = dict(env, PATH=bin_dir + os.pathsep + env.get("PATH", ""),
                           PYTHONPATH=os.path.join(ROOT, "benchmarks", "v2d_shims"))
            results[name] = measured("v2d", [v2d_python, os.path.join(ROOT, "benchmarks", "v2d_run.py"), jobs,
                                             os.path.join(work, "v2d")], work, v2d_env)
            errors["(d) video2dataset exact"] = v2d_errors(os.path.join(work, "v2d"))
    if "scaling" not in skip:
        results["(a) pipeline, 1 worker"] = measured(
            "pipeline1", V.pipeline_command(corpus, corpus.manifest, os.path.join(work, "pipeline1"), 1), work, env)
        for kind in ("compliant", "long", "big"):
            manifest = os.path.join(work, f"manifest-{kind}.jsonl")
            with open(corpus.manifest) as src, open(manifest, "w") as dst:
                for line in src:
                    row = json.loads(line)
                    if row["video_uri"].startswith(kind + "_"):
                        row["video_uri"] = os.path.join(corpus.folder, row["video_uri"])
                        dst.write(json.dumps(row) + "\n")
            results[f"(a) pipeline, {kind} only, 2 workers"] = measured(
                f"pipeline-{kind}", V.pipeline_command(corpus, manifest, os.path.join(work, f"pipeline-{kind}"), 2), work, env)
    default = results["(a) pipeline, DirectRunner, 2 workers"]["wall_s"]
    pairs = [(floor["wall_s"], default)]
    copy_pairs = [(results[COPY_FLOOR]["wall_s"], default)]
    for i in range(1, args.pairs):
        # Every other round runs the pipeline first: whatever the run before leaves (dirty pages
        # being written back, a warm or cold cache) falls on each side as often.
        order = ("pipeline", "floor-copy", "floor") if i % 2 else ("floor", "floor-copy", "pipeline")
        walls = {what: rerun_wall(what, corpus, work, env) for what in order}
        pairs.append((walls["floor"], walls["pipeline"]))
        copy_pairs.append((walls["floor-copy"], walls["pipeline"]))
    probe = probe_reads(corpus, work)

    report = render(args, host, corpus_line, corpus, results, floor, errors, probe, quality, pairs, copy_pairs)
    print(report)
    with open(os.path.join(work, "results.json"), "w") as handle:
        json.dump({"results": results, "errors": errors, "probe": probe, "quality": quality}, handle, indent=1)
    if args.write_md:
        write_md(report)
    return 0


def kind_figures(corpus: C.Corpus) -> dict:
    figures = {}
    for kind in ("compliant", "long", "big"):
        vids = [v for v in corpus.videos if v.kind == kind]
        figures[kind] = (sum(v.spec.seconds for v in vids), sum(os.path.getsize(corpus.path(v)) for v in vids) / 1e6)
    return figures


def pairs_line(pairs: list[tuple[float, float]], floor_name: str = "floor") -> str:
    """Each (floor, default) pair's ratio, and the ratio of the medians."""
    ratios = [pipe / floor for floor, pipe in pairs]
    floors, pipes = [f for f, _ in pairs], [p for _, p in pairs]
    return (f"Default / {floor_name} over {len(pairs)} alternating pairs: " + ", ".join(f"{r:.3f}" for r in ratios)
            + f"; medians {statistics.median(pipes):.2f} s / {statistics.median(floors):.2f} s = "
            f"**{statistics.median(pipes) / statistics.median(floors):.3f}**")


def render(args, host, corpus_line, corpus, results, floor, errors, probe, quality=None, pairs=(),
           copy_pairs=()) -> str:
    out = [f"Command: `bash benchmarks/run.sh --scale {args.scale:g} --per-kind {args.per_kind}`"
           + (f" `--skip {args.skip}`" if args.skip else ""),
           f"Machine: {host}", f"Corpus: {corpus_line}", "", table(results, floor), ""]
    if pairs:
        out += [pairs_line(list(pairs)), ""]
    if copy_pairs:
        out += [pairs_line(list(copy_pairs), "sound-copied floor"), ""]
    for name, q in (quality or {}).items():
        if q:
            out.append(f"Picture of the big sources' clips, {name}: {q['clips']} clips, sampled at 1 frame/s against "
                       f"the source: PSNR {q['psnr_db']} dB (mean of the re-encoded; {q['identical']} identical), "
                       f"SSIM {q['ssim']}")
    for name, errs in errors.items():
        s = summarize_errors(errs)
        out.append(f"Timestamp error, {name}: {s['measured']} of {s['clips']} clips measured, "
                   f"max |real - claimed start| = {s['max_abs_error_s']} s, mean {s['mean_abs_error_s']} s")
        cuts = [e for e in errs if e["requested"] > 0 or (e["error"] not in (None, 0.0))]
        out.append("  every cut (source: claimed -> real start, error s): " + "; ".join(
            f"{e['source']}: {e['requested']} -> {e['real']} ({e['error']})" for e in cuts))
    out.append("")
    out.append(f"Probe of a {probe['file_mb']} MB faststart MP4: read {probe.get('file_read_mb', '?')} MB of the file "
               f"(its header and first keyframe); the process read {probe['read_mb']} MB in all, "
               f"{probe['interpreter_read_mb']} MB of it Python and PyAV starting; {probe['wall_s']} s, "
               f"peak RSS {probe['peak_rss_tree_mb']} MB")
    if probe.get("by_kind"):
        out.append("Probe reads, largest faststart source of each kind (file MB -> MB read): " + "; ".join(
            f"{kind}: {size} -> {read}" for kind, (size, read) in probe["by_kind"].items()))
    figures = kind_figures(corpus)
    scaling = [f"{k}: {s:.0f} video s, {mb:.0f} MB -> {results[f'(a) pipeline, {k} only, 2 workers']['wall_s']} s wall"
               for k, (s, mb) in figures.items() if f"(a) pipeline, {k} only, 2 workers" in results]
    if scaling:
        out.append("Scaling by kind (pipeline, 2 workers): " + "; ".join(scaling))
    return "\n".join(out)


def write_md(report: str) -> None:
    path = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(path).read()
    before, rest = text.split(MARK_BEGIN, 1)
    _, after = rest.split(MARK_END, 1)
    with open(path, "w") as handle:
        handle.write(before + MARK_BEGIN + "\n\n" + report.replace("\n", "\n\n").replace("|\n\n|", "|\n|")
                     + "\n\n" + MARK_END + after)


if __name__ == "__main__":
    sys.exit(main())
