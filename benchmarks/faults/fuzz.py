"""Mutated media through the real pipeline: N seeded variants of valid MP4, MKV, TS and AVI files.

    python -m benchmarks.faults.fuzz --seed 15 --per-container 50 --batch 50 --work /tmp/fuzz
    python -m benchmarks.faults.fuzz --seed 15 --only mp4:17      # replay one variant

Each batch is one manifest (one row per variant, plus the four undamaged seeds as controls)
run by `python -m pipeline.run` in its own process group under a wall-clock cap. A batch passes
when the run ends by itself (no crash: exit 0 with --max_drop_rate 1), within the cap (no hang),
every row is in the index or the drops exactly once (tests/conservation.py), and every control
row is an example. Variant i of container c is `mutate(seed file, variant_rng(seed, c, i))`:
the seed and the index replay it.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
from typing import Optional

from benchmarks.faults.mutate import mutate, variant_rng
from benchmarks.faults.process import run_pipeline
from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.conservation import assert_conserved, output_rows

CONTAINERS = ("mp4", "mkv", "ts", "avi")
# Tiny seeds (64x64, 3 s): the damage, not the encode, is what is tested.
SEEDS = {
    "mp4": VideoSpec(name="seed.mp4", seconds=3, size=(64, 64), fps=10, gop_seconds=1,
                     events=(Event(1, 2, "red"),)),
    "mkv": VideoSpec(name="seed.mkv", seconds=3, size=(64, 64), fps=10, gop_seconds=1,
                     events=(Event(1, 2, "green"),)),
    "ts": VideoSpec(name="seed.ts", seconds=3, size=(64, 64), fps=10, gop_seconds=1,
                    events=(Event(1, 2, "blue"),)),
    "avi": VideoSpec(name="seed.avi", seconds=3, size=(64, 64), fps=10, gop_seconds=1, video_codec="mpeg4",
                     audio_codec="mp3", events=(Event(1, 2, "yellow"),)),
}
PROMPT = "When is the screen coloured? Answer with MM:SS."
ANNOTATIONS = [{"start": 1, "end": 2, "label": "colour"}]


def make_seeds(folder: str) -> dict[str, bytes]:
    os.makedirs(folder, exist_ok=True)
    seeds = {}
    for container, spec in SEEDS.items():
        with open(make_video(folder, spec), "rb") as handle:
            seeds[container] = handle.read()
    return seeds


def write_variants(folder: str, seeds: dict[str, bytes], seed: int, per_container: int,
                   only: Optional[list[tuple[str, int]]] = None) -> list[dict]:
    """Write every variant file; return one record per variant (what was done, for the report)."""
    os.makedirs(folder, exist_ok=True)
    wanted = only or [(c, i) for i in range(per_container) for c in CONTAINERS]
    records = []
    for container, index in wanted:
        variant = mutate(seeds[container], container, variant_rng(seed, container, index))
        name = f"{container}-{index:04d}.{container}"
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(variant.data)
        records.append({"id": f"{container}-{index:04d}", "container": container, "index": index,
                        "file": name, "kind": variant.kind, "detail": variant.detail, "bytes": len(variant.data)})
    return records


def write_manifest(path: str, records: list[dict], variant_dir: str, seed_dir: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps({"id": record["id"], "video_uri": os.path.join(variant_dir, record["file"]),
                                     "prompt": PROMPT, "annotations": ANNOTATIONS}) + "\n")
        for container, spec in SEEDS.items():  # controls: undamaged, must become examples
            handle.write(json.dumps({"id": f"control-{container}", "video_uri": os.path.join(seed_dir, spec.name),
                                     "prompt": PROMPT, "annotations": ANNOTATIONS}) + "\n")


def run_batch(work: str, number: int, records: list[dict], variant_dir: str, seed_dir: str,
              timeout: float, probe_timeout: float) -> dict:
    manifest = os.path.join(work, f"batch-{number:03d}.jsonl")
    out = os.path.join(work, f"out-{number:03d}")
    write_manifest(manifest, records, variant_dir, seed_dir)
    outcome = run_pipeline(["--manifest", manifest, "--output", out, "--max_drop_rate", "1.0",
                            "--num_shards", "2", "--probe_timeout", str(probe_timeout)],
                           timeout=timeout, log_prefix=os.path.join(work, f"batch-{number:03d}"))
    result = {"batch": number, "variants": len(records), "seconds": round(outcome.seconds, 1),
              "peak_rss_bytes": outcome.peak_rss_bytes, "peak_process_rss_bytes": outcome.peak_process_rss_bytes,
              "returncode": outcome.returncode, "timed_out": outcome.timed_out, "problems": []}
    if outcome.timed_out:
        result["problems"].append(f"hang: the run passed its {timeout:.0f}s cap")
        return result
    if outcome.returncode != 0:
        result["problems"].append(f"crash: exit {outcome.returncode}: {outcome.stderr[-2000:]}")
        return result
    try:
        assert_conserved([manifest], out)
    except AssertionError as err:
        result["problems"].append(f"rows unaccounted: {err}")
    index, row_drops, stats = output_rows(out)
    examples = {r["row_id"] for r in index}
    dropped = {d["row_id"]: d for d in row_drops}
    missing_controls = [c for c in (f"control-{k}" for k in SEEDS) if c not in examples]
    if missing_controls:
        result["problems"].append(f"controls not in the dataset: {missing_controls} "
                                  f"({[dropped.get(c, {}).get('reason') for c in missing_controls]})")
    for record in records:
        drop = dropped.get(record["id"])
        record["outcome"] = "example" if record["id"] in examples else \
            f"{drop['stage']}:{drop['reason']}" if drop else "unaccounted"
    return result


def summarise(records: list[dict], batches: list[dict], seed: int) -> dict:
    outcomes = collections.Counter(r.get("outcome", "not run") for r in records)
    by_container = {c: dict(collections.Counter(r.get("outcome", "not run") for r in records if r["container"] == c))
                    for c in CONTAINERS}
    kinds = collections.Counter(r["kind"].split("+")[0] for r in records)
    problems = [p for b in batches for p in b["problems"]]
    return {
        "seed": seed, "variants": len(records), "batches": len(batches),
        "examples": outcomes.get("example", 0), "drops": sum(n for o, n in outcomes.items() if o != "example"),
        "unaccounted": outcomes.get("unaccounted", 0) + outcomes.get("not run", 0),
        "crashes": sum(1 for b in batches if b["returncode"] not in (0, None)),
        "hangs": sum(1 for b in batches if b["timed_out"]),
        "outcomes": dict(outcomes.most_common()), "by_container": by_container, "kinds": dict(kinds.most_common()),
        "seconds": round(sum(b["seconds"] for b in batches), 1),
        "max_batch_seconds": max((b["seconds"] for b in batches), default=0),
        "peak_rss_bytes": max((b["peak_rss_bytes"] for b in batches), default=0),
        "peak_process_rss_bytes": max((b["peak_process_rss_bytes"] for b in batches), default=0),
        "problems": problems, "batch_results": batches,
    }


def fuzz(work: str, seed: int, per_container: int, batch_size: int, timeout: float = 900.0,
         probe_timeout: float = 30.0, only: Optional[list[tuple[str, int]]] = None) -> dict:
    seed_dir, variant_dir = os.path.join(work, "seeds"), os.path.join(work, "variants")
    seeds = make_seeds(seed_dir)
    records = write_variants(variant_dir, seeds, seed, per_container, only)
    batches = []
    for number, start in enumerate(range(0, len(records), batch_size)):
        batches.append(run_batch(work, number, records[start:start + batch_size], variant_dir, seed_dir,
                                 timeout, probe_timeout))
    summary = summarise(records, batches, seed)
    with open(os.path.join(work, "variants.json"), "w", encoding="utf-8") as handle:
        json.dump(records, handle, indent=1)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--per-container", type=int, default=50)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=900.0, help="wall-clock cap of one batch")
    parser.add_argument("--only", default=None, help="replay: container:index[,container:index...]")
    parser.add_argument("--json", default=None, help="write the summary here")
    args = parser.parse_args(argv)
    only = [(c, int(i)) for c, i in (x.split(":") for x in args.only.split(","))] if args.only else None
    summary = fuzz(args.work, args.seed, args.per_container, args.batch, args.timeout, only=only)
    text = json.dumps(summary, indent=1)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(text)
    print(json.dumps({k: v for k, v in summary.items() if k != "batch_results"}, indent=1))
    return 0 if not summary["problems"] and not summary["unaccounted"] else 1


if __name__ == "__main__":
    sys.exit(main())
