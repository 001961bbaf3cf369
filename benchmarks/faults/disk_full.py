"""Disk full in the worker's scratch: the run's temporary directory on a tmpfs too small for a clip.

    python -m benchmarks.faults.disk_full --work /tmp/diskfull        (root: it mounts a tmpfs)

The workers' scratch (tempfile, so TMPDIR) is a tmpfs of half the largest clip's size: the
encode of that clip fails with ENOSPC. Then the run must fail loudly (a non-zero exit, no
stats.json: the runner failed the bundle) or drop the clip with a worker-side reason, never
publish a partial clip; the scratch must hold no source or clip afterwards (the next run's
workers remove a dead worker's folder); and a rerun with room must give the clean run's bytes.
"""
from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import subprocess
import sys
from typing import Iterator

from benchmarks.faults.cli import finish, scenario_parser
from benchmarks.faults import verify
from benchmarks.faults.kill import RUN_FLAGS, make_corpus
from benchmarks.faults.process import run_pipeline


OUR_SCRATCH = ("cut-", "probe-", "fetch-")  # transforms/store/scratch.py's folders


@contextlib.contextmanager
def small_tmpfs(path: str, size_bytes: int) -> Iterator[str]:
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", path], check=True,
                   capture_output=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path], check=False)


def can_mount(work: str) -> bool:
    probe = os.path.join(work, "mount-check")
    try:
        with small_tmpfs(probe, 1 << 20):
            return True
    except (subprocess.CalledProcessError, FileNotFoundError, PermissionError):
        return False


def scratch_contents(folder: str) -> list[str]:
    """Files (not empty folders) left in the scratch: a source or clip someone forgot."""
    return sorted(os.path.relpath(os.path.join(r, n), folder) for r, _, names in os.walk(folder) for n in names)


def _run(manifest: str, out: str, work: str, label: str, tmpdir: str = None):
    env = dict(os.environ)
    if tmpdir:
        env["TMPDIR"] = tmpdir
    return run_pipeline(["--manifest", manifest, "--output", out, *RUN_FLAGS], timeout=900, env=env,
                        log_prefix=os.path.join(work, label))


def disk_full_scenario(work: str) -> dict:
    os.makedirs(work, exist_ok=True)
    manifest = make_corpus(os.path.join(work, "corpus"))
    clean_out = os.path.join(work, "clean")
    shutil.rmtree(clean_out, ignore_errors=True)
    clean = _run(manifest, clean_out, work, "clean")
    if clean.returncode != 0:
        raise RuntimeError(f"the clean run failed: {clean.stderr[-1500:]}")
    clips = [p for p in glob.glob(os.path.join(clean_out, "media", "*")) if os.path.isfile(p)]
    largest = max(os.path.getsize(p) for p in clips)
    size = max(64 * 1024, largest // 2)
    out = os.path.join(work, "full")
    shutil.rmtree(out, ignore_errors=True)
    scratch = os.path.join(work, "scratch")
    with small_tmpfs(scratch, size):
        full = _run(manifest, out, work, "full", tmpdir=scratch)
        left_after_failure = scratch_contents(scratch)
        dirs_after_failure = sorted(os.listdir(scratch))
        # A dead worker's scratch folder is removed by the next worker that makes one.
        again = _run(manifest, os.path.join(work, "full-again"), work, "full-again", tmpdir=scratch)
        left_after_next = scratch_contents(scratch)
        dirs_after_next = sorted(os.listdir(scratch))
    problems = []
    stats_written = os.path.exists(os.path.join(out, "stats.json"))
    worker_drops = []
    if stats_written:
        with open(os.path.join(out, "drops.jsonl"), encoding="utf-8") as handle:
            drops = [json.loads(line) for line in handle]
        worker_drops = [d for d in drops if "disk" in d["detail"] or d["reason"] == "worker_disk_full"]
        if full.returncode == 0 and not worker_drops:
            problems.append("the run passed with a full scratch disk and no worker-side drop: silent")
    elif full.returncode == 0:
        problems.append("exit 0 but no stats.json")
    enospc_seen = "No space left on device" in full.stderr or "disk full" in full.stderr
    if not enospc_seen and not worker_drops:
        problems.append("the failure does not say the disk was full")
    problems += verify.clip_problems(out) if os.path.isdir(os.path.join(out, "media")) else []
    problems += [f"temporary file left in the output: {p}" for p in verify.temporary_files(out)]
    if left_after_next:
        problems.append(f"scratch not cleaned: {left_after_next}")
    # Ours only: Beam's own temporary folders (beam-temp*, tmp*) are the runner's business.
    stale = {d for d in set(dirs_after_failure) & set(dirs_after_next) if d.startswith(OUR_SCRATCH)}
    if stale:
        problems.append(f"the dead workers' scratch folders outlived the next run: {sorted(stale)}")
    finish = _run(manifest, out, work, "finish")
    if finish.returncode != 0:
        problems.append(f"the rerun with room failed: {finish.stderr[-1500:]}")
    else:
        problems += verify.differences(clean_out, out)
        problems += verify.clip_problems(out)
    return {"scratch_bytes": size, "largest_clip_bytes": largest, "returncode": full.returncode,
            "stats_written": stats_written, "enospc_reported": enospc_seen,
            "worker_drops": [(d["reason"], d["detail"][:160]) for d in worker_drops],
            "scratch_files_after_failure": left_after_failure, "scratch_files_after_next_run": left_after_next,
            "scratch_dirs_after_failure": dirs_after_failure, "scratch_dirs_after_next_run": dirs_after_next,
            "next_run_returncode": again.returncode, "seconds": round(full.seconds, 1),
            "rerun_identical": finish.returncode == 0 and not verify.differences(clean_out, out),
            "error_line": next((line for line in full.stderr.splitlines()[::-1]
                                if "No space left" in line or "disk full" in line), ""),
            "problems": problems}


def main(argv=None) -> int:
    parser = scenario_parser(__doc__)
    args = parser.parse_args(argv)
    summary = disk_full_scenario(args.work)
    return finish(summary, args.json)


if __name__ == "__main__":
    sys.exit(main())
