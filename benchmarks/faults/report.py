"""The table of RELIABILITY.md, from the scenario results `bash dev.sh faults` saved (results/*.json).

Only the figures in those files reach the table: a scenario not run has no row.
"""
from __future__ import annotations

import json
import os
from typing import Optional

RESULTS = os.path.join(os.path.dirname(__file__), "results")
BEGIN, END = "<!-- faults:table:begin -->", "<!-- faults:table:end -->"


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def _load(name: str) -> Optional[dict]:
    path = os.path.join(RESULTS, f"{name}.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def fuzz_row(r: dict) -> list[str]:
    top = ", ".join(f"{k} {v}" for k, v in r["outcomes"].items() if k != "example")
    kinds = ", ".join(f"{k} {v}" for k, v in r["kinds"].items())
    verdict = "every variant an example or a drop" if not r["problems"] and not r["unaccounted"] else \
        f"FAILED: {'; '.join(r['problems'])[:300]}"
    return ["Mutated media", f"{r['variants']} seeded variants (seed {r['seed']}) of MP4, MKV, TS, AVI: {kinds}",
            f"{r['batches']} runs of up to {max(b['variants'] for b in r['batch_results'])} variants + 4 controls",
            f"{verdict}: {r['examples']} examples, {r['drops']} drops ({top})",
            f"crashes {r['crashes']}, hangs {r['hangs']}, unaccounted {r['unaccounted']}; "
            f"{r['seconds']:.0f} s in all (longest run {r['max_batch_seconds']:.0f} s); peak RSS "
            f"{_mb(r['peak_rss_bytes'])} for a run's processes together, {_mb(r['peak_process_rss_bytes'])} for one"]


def kill_row(r: dict) -> list[str]:
    stages = ", ".join(f"{k['point']} ({k['stage']}, at {k['killed_at_seconds']} s)" for k in r["kills"])
    left = sum(k["left_by_the_kill"]["temporary_files"] for k in r["kills"])
    made = [k["finish_clips_made"] for k in r["kills"]]
    verdict = "identical" if not r["problems"] else f"FAILED: {'; '.join(r['problems'])[:300]}"
    return ["Killed at random (local)", f"SIGKILL to the whole process group at {r['points']} points: {stages}",
            f"{r['points']} kills, each then finished on the same output",
            f"{verdict}: {r['identical']}/{r['points']} byte-identical JSONL, index and drops; every clip plays "
            "and lasts what the index says; no temporary file; no stale _meta",
            f"clean run {r['clean_seconds']:.0f} s; temporary files found right after the kills: {left}; "
            f"clips remade by the finishing runs: {made} of {r['clean_counts']['metas']}"]


def kill_gcs_row(r: dict) -> list[str]:
    stages = ", ".join(f"{k['point']} ({k['stage']}, at {k['killed_at_seconds']} s)" for k in r["kills"])
    verdict = "identical" if not r["problems"] else f"FAILED: {'; '.join(r['problems'])[:300]}"
    return ["Killed at random (gs://, emulator)", f"SIGKILL to the whole process group at {r['points']} points: {stages}",
            f"{r['points']} kills, each then finished on the same output",
            f"{verdict}: {r['identical']}/{r['points']} byte-identical; every clip plays and lasts what the index "
            "says; no compose intermediate left; no stale _meta",
            f"clean run {r['clean_seconds']:.0f} s; finishing runs " +
            ", ".join(f"{k['finish_seconds']:.0f} s" for k in r["kills"])]


def flaky_row(r: dict) -> list[str]:
    parts, results = [], []
    for run in r["runs"]:
        p = run["proxy"]
        parts.append(f"{run['rate']}: {p['faults_total']} faults of {p['requests']} requests "
                     f"({', '.join(f'{k} {v}' for k, v in sorted(p['faults'].items()))}), "
                     f"{run['extra_requests']:+d} requests, {run['extra_seconds']:+.0f} s, {p['requests_per_object']} requests per object "
                     f"(max {p['max_requests_per_object']})")
        results.append(f"{run['rate']} {'identical' if run['identical'] else 'FAILED'}")
    clean = r["clean"]["proxy"]
    verdict = "; ".join(results) if not r["problems"] else f"{'; '.join(results)}: {'; '.join(r['problems'])[:300]}"
    return ["Flaky store (gs://, emulator behind a proxy)",
            "429, 503, 503 after the write, reset, reset after the write, 2 s stall, half a body",
            "seeded share of requests: " + ", ".join(run["rate"] for run in r["runs"]) + " (burst: every request for 10 s from the 40th on)",
            f"retried by the client's policy; {verdict}",
            f"clean: {clean['requests']} requests, {clean['requests_per_object']} per object, "
            f"{r['clean']['seconds']:.0f} s. " + "; ".join(parts)]


def disk_row(r: dict) -> list[str]:
    how = "dropped with a worker-side reason" if r["worker_drops"] else \
        "the run failed loudly (exit %s, no stats.json)" % r["returncode"]
    verdict = "" if not r["problems"] else f"FAILED: {'; '.join(r['problems'])[:300]}"
    return ["Disk full (worker scratch)", f"TMPDIR on a {r['scratch_bytes'] // 1024} KiB tmpfs "
            f"(largest clip {r['largest_clip_bytes'] // 1024} KiB): ENOSPC in ffmpeg",
            "every encode that does not fit",
            f"{verdict or how}; no partial clip; rerun with room identical: {r['rerun_identical']}",
            f"'{r['error_line'][:120]}'; scratch files after the failed run {len(r['scratch_files_after_failure'])}, "
            f"after the next run {len(r['scratch_files_after_next_run'])}"]


def load_row(r: dict) -> list[str]:
    first, again = r["first"], r["rerun"]
    full = r.get("full_rerun")
    result = (f"gate {first['verdict']}; the rerun {'recognised' if again['kept'] else 'did NOT recognise'} that "
              f"nothing was new and kept the dataset ({'not a byte written' if again['files_unchanged'] else 'FILES CHANGED'})")
    if full:
        result += (f"; a forced rerun (--always_run) made {full['clips_made']} clips, probed {full['probes_made']}, "
                   f"{'identical' if full['identical'] else 'NOT identical'}")
    figures = (f"first: {first['seconds']:.0f} s, {first['ms_per_row']:.2f} ms per row, peak RSS "
               f"{_mb(first['peak_rss_bytes'])} (largest process {_mb(first['peak_process_rss_bytes'])}); "
               f"rerun: {again['seconds']:.1f} s = {100 * again['share_of_first']:.1f} % of the first"
               + (" (target < 10 %: MISSED)" if again["share_of_first"] >= 0.1 else " (target < 10 %)")
               + f", peak RSS {_mb(again['peak_rss_bytes'])}")
    if full:
        figures += f"; forced rerun: {full['seconds']:.0f} s = {100 * full['share_of_first']:.0f} % of the first"
    return ["Load (DirectRunner, 2 workers)", f"{r['rows']:,} rows over {r['sources']:,} sources "
            f"({r['source_desc']})", "one run, then a rerun with nothing new"
            + (", then one forced to run" if full else ""), result, figures]


ROWS = (("fuzz", fuzz_row), ("kill", kill_row), ("kill_gcs", kill_gcs_row), ("flaky", flaky_row), ("disk_full", disk_row), ("load", load_row))


def table() -> str:
    lines = ["| scenario | injected | how often | result | figures |", "| --- | --- | --- | --- | --- |"]
    for name, render in ROWS:
        result = _load(name)
        if result is not None:
            lines.append("| " + " | ".join(c.replace("|", "/") for c in render(result)) + " |")
    return "\n".join(lines)


def write_table(markdown_path: str) -> None:
    with open(markdown_path, encoding="utf-8") as handle:
        text = handle.read()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    with open(markdown_path, "w", encoding="utf-8") as handle:
        handle.write(f"{head}{BEGIN}\n{table()}\n{END}{tail}")
