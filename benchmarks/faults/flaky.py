"""A flaky store: the pipeline on gs:// through a fault-injecting proxy in front of the emulator.

    python -m benchmarks.faults.flaky --work /tmp/flaky [--rates 0.05,0.2,burst] [--seed 15]

The sources are uploaded to the emulator directly; every run then talks to the store through a
FlakyProxy (benchmarks/faults/flaky_proxy.py): first at rate 0 (the clean run, and the request
counts without faults), then at each rate with its own output prefix. "burst" is rate 0 plus
every request failing for 10 s, from the run's `burst_at`-th request on (in the clean run, the
probing is under way then). Each run must exit
0 with JSONL, index and drops byte-identical to the clean run's.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile

from benchmarks.faults.cli import finish, scenario_parser
from benchmarks.faults import verify
from benchmarks.faults.flaky_proxy import FlakyProxy
from benchmarks.faults.kill import make_corpus
from benchmarks.faults.process import run_pipeline
from tests.gcs import emulator as E

FLAGS = ["--num_shards", "4", "--ffmpeg_threads", "1", "--max_drop_rate", "1.0",
         "--media_uri_prefix", verify.MEDIA_PREFIX, "--media_resolution", "MEDIUM"]


def upload_sources(manifest: str, prefix: str) -> str:
    folder = os.path.dirname(manifest)
    with open(manifest, encoding="utf-8") as handle:
        names = sorted({json.loads(line)["video_uri"] for line in handle})
    for name in names:
        E.upload(os.path.join(folder, name), f"gs://{E.BUCKET}/{prefix}/{name}")
    return E.upload(manifest, f"gs://{E.BUCKET}/{prefix}/manifest.jsonl")


def download_dataset(prefix_uri: str, local: str) -> str:
    """The dataset files of a gs:// output, into a local folder, for verify.differences."""
    for uri in E.object_generations(prefix_uri):
        relative = uri[len(prefix_uri.rstrip("/")) + 1:]
        if not relative.startswith("media/"):
            E.download(uri, os.path.join(local, relative))
    return local


def leftovers(prefix_uri: str) -> list[str]:
    """Temporary objects a run must not leave: compose intermediates, Beam's temp files."""
    return sorted(u for u in E.object_generations(prefix_uri) if ".compose/" in u or "/.temp" in u
                  or "beam-temp" in u)


def one_run(label: str, manifest_uri: str, proxy: FlakyProxy, work: str, burst_at: int = None,
            timeout: float = 1200.0) -> dict:
    out = f"gs://{E.BUCKET}/out-{label}"
    env = dict(os.environ, STORAGE_EMULATOR_HOST=proxy.url)
    if burst_at is not None:
        proxy.burst_at_request(burst_at, 10.0)
    outcome = run_pipeline(["--manifest", manifest_uri, "--output", out, *FLAGS], timeout=timeout, env=env,
                           log_prefix=os.path.join(work, f"run-{label}"))
    local = download_dataset(out, os.path.join(work, f"out-{label}"))
    return {"label": label, "returncode": outcome.returncode, "seconds": round(outcome.seconds, 1),
            "proxy": proxy.stats.as_dict(), "local": local, "out": out, "leftovers": leftovers(out),
            "stderr_tail": outcome.stderr[-1500:] if outcome.returncode != 0 else ""}


def flaky_scenario(work: str, rates=("0.05", "0.2", "burst"), seed: int = 15, burst_at: int = 40) -> dict:
    os.makedirs(work, exist_ok=True)
    emulator = E.run_emulator(tempfile.mkdtemp(dir=work, prefix="emulator-"))
    upstream = next(emulator)
    try:
        manifest_uri = upload_sources(make_corpus(os.path.join(work, "corpus")), "sources")
        proxy = FlakyProxy(upstream, rate=0.0, seed=seed).start()
        clean = one_run("clean", manifest_uri, proxy, work)
        proxy.stop()
        if clean["returncode"] != 0:
            raise RuntimeError(f"the clean run failed: {clean['stderr_tail']}")
        results = []
        for rate in rates:
            burst = rate == "burst"
            proxy = FlakyProxy(upstream, rate=0.0 if burst else float(rate), seed=seed).start()
            result = one_run(f"rate-{rate}", manifest_uri, proxy, work, burst_at if burst else None)
            proxy.stop()
            problems = []
            if result["returncode"] != 0:
                problems.append(f"the run failed ({result['returncode']}): {result['stderr_tail']}")
            else:
                problems += verify.differences(clean["local"], result["local"])
            problems += [f"temporary object left: {u}" for u in result["leftovers"]]
            result.update(rate=rate, problems=problems, identical=not problems,
                          extra_seconds=round(result["seconds"] - clean["seconds"], 1),
                          extra_requests=result["proxy"]["requests"] - clean["proxy"]["requests"])
            results.append(result)
    finally:
        emulator.close()
    return {"seed": seed, "clean": clean, "runs": results,
            "problems": [f"{r['rate']}: {p}" for r in results for p in r["problems"]]}


def main(argv=None) -> int:
    parser = scenario_parser(__doc__)
    parser.add_argument("--rates", default="0.05,0.2,burst")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    summary = flaky_scenario(args.work, tuple(args.rates.split(",")), args.seed)
    return finish(summary, args.json)


if __name__ == "__main__":
    sys.exit(main())
