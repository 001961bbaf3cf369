"""Killed at random on gs://: the kill scenario with the sources and the output in the emulator.

    python -m benchmarks.faults.kill_gcs --work /tmp/kill-gcs

The emulator runs in its own process (not in the killed group). A kill point watches the
output prefix's objects instead of a folder. After the finishing run the dataset objects are
downloaded and compared byte for byte with the clean run's; every clip the index names is
downloaded and played; no compose intermediate is left; every `_meta` names a clip of its bytes.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import time

from benchmarks.faults.cli import finish, scenario_parser
from benchmarks.faults import verify
from benchmarks.faults.flaky import download_dataset, leftovers, upload_sources
from benchmarks.faults.kill import RUN_FLAGS, make_corpus
from benchmarks.faults.process import GroupRun, pipeline_command
from tests.gcs import emulator as E


def _objects(prefix: str) -> list[str]:
    try:
        return list(E.object_generations(prefix))
    except Exception:  # the emulator answering slowly under load: seen as nothing new yet
        return []


POINTS = (  # (name, stage, condition on the output's object names)
    ("first probe result written", "probe", lambda names: any("/media/_probe/" in n for n in names)),
    ("first clip measured", "cut", lambda names: any("/media/_meta/" in n for n in names)),
    ("first shard written", "write", lambda names: any("/shards/" in n or "/index/" in n for n in names)),
)


def _download_media(prefix: str, local: str) -> None:
    for uri in E.object_generations(prefix):
        relative = uri[len(prefix.rstrip("/")) + 1:]
        if relative.startswith("media/") and not relative.startswith("media/_probe/"):
            E.download(uri, os.path.join(local, relative))


def kill_gcs_scenario(work: str, points=POINTS, seed: int = 15, timeout: float = 1200.0) -> dict:
    os.makedirs(work, exist_ok=True)
    emulator = E.run_emulator(tempfile.mkdtemp(dir=work, prefix="emulator-"))
    next(emulator)
    try:
        manifest = upload_sources(make_corpus(os.path.join(work, "corpus")), "sources")
        args = lambda out: pipeline_command(["--manifest", manifest, "--output", out, *RUN_FLAGS])  # noqa: E731
        clean_out = f"gs://{E.BUCKET}/kill-clean"
        clean = GroupRun(args(clean_out), log_prefix=os.path.join(work, "clean")).wait(timeout)
        if clean.returncode != 0:
            raise RuntimeError(f"the clean run failed: {clean.stderr[-1500:]}")
        clean_local = download_dataset(clean_out, os.path.join(work, "clean"))
        rng, results = random.Random(seed), []
        for number, (name, stage, holds) in enumerate(points):
            out = f"gs://{E.BUCKET}/kill-{number}"
            run = GroupRun(args(out), log_prefix=os.path.join(work, f"killed-{number}-first"))
            held = run.wait_until(lambda: holds(_objects(out)), timeout, poll=0.2)
            time.sleep(rng.uniform(0, 0.3) if held else 0)
            killed_at, ended = round(time.monotonic() - run.started, 2), run.process.poll() is not None
            run.kill()
            finish = GroupRun(args(out), log_prefix=os.path.join(work, f"killed-{number}-finish")).wait(timeout)
            problems = [] if held and not ended else ["the point was not reached before the run ended"]
            local = os.path.join(work, f"killed-{number}")
            if finish.returncode != 0:
                problems.append(f"the finishing run failed: {finish.stderr[-1500:]}")
            else:
                download_dataset(out, local)
                _download_media(out, local)
                problems += verify.differences(clean_local, local)
                problems += verify.clip_problems(local)
                problems += [f"temporary object left: {u}" for u in leftovers(out)]
            results.append({"point": name, "stage": stage, "killed_at_seconds": killed_at,
                            "finish_seconds": round(finish.seconds, 1), "identical": not problems,
                            "problems": problems})
    finally:
        emulator.close()
    return {"seed": seed, "points": len(results), "identical": sum(r["identical"] for r in results),
            "clean_seconds": round(clean.seconds, 1), "kills": results,
            "problems": [f"{r['point']}: {p}" for r in results for p in r["problems"]]}


def main(argv=None) -> int:
    parser = scenario_parser(__doc__)
    args = parser.parse_args(argv)
    summary = kill_gcs_scenario(args.work)
    return finish(summary, args.json)


if __name__ == "__main__":
    sys.exit(main())
