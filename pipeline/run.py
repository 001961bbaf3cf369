"""Entry point: `python -m pipeline.run --manifest videos.jsonl --output out/ [--media_resolution LOW]`.

With no --manifest, makes (once, cached) a small demo corpus and runs on it. `run(argv)` only
parses and validates; `build_pipeline` builds; the exit code follows the gate.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from typing import Optional, Sequence

# gRPC (inside Beam) logs a line at every fork of a child process; we fork ffmpeg a lot.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

import apache_beam as beam  # noqa: E402
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline.build import build_pipeline
from pipeline.options import VideoDatasetOptions, run_config, validate
from pipeline.summary import summary_text
from transforms.store import storage
from transforms.store.fetch import DEFAULT_POLICY, FetchPolicy
from transforms.stages.read_manifest import match_manifests

DEMO_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "gemini-video-dataset", "demo-corpus")
# Dataset files a run replaces; media/ is kept, so clips made before are reused.
_DATASET_FILES = ("train.jsonl", "validation.jsonl", "drops.jsonl", "stats.json")
_DATASET_DIRS = ("shards", "index", "drops")
# Runners that run here and now: their stats.json can be read and summarised at the end.
_LOCAL_RUNNERS = (None, "DirectRunner", "BundleBasedDirectRunner")


def direct_runner_defaults(argv: Sequence[str]) -> list[str]:
    """Run locally on every core, without Beam's Prism download detour.

    One worker process per core: the multi_threading mode corrupted elements here on a
    20,000-row manifest (Beam 2.77: "Error decoding input stream", then memory grew to 24 GB
    and the kernel killed the run), while multi_processing ran it in 34 s and 0.5 GB.
    """
    args = list(argv)
    runner = next((a.split("=", 1)[1] for a in args if a.startswith("--runner=")), None)
    if runner is None and "--runner" in args[:-1]:
        runner = args[args.index("--runner") + 1]
    if runner is None:
        runner = "DirectRunner"
        args.append("--runner=DirectRunner")
    if runner == "DirectRunner" and not any(a.startswith("--direct_running_mode") for a in args):
        args += ["--direct_running_mode=multi_processing", f"--direct_num_workers={os.cpu_count() or 2}"]
    return args


def clear_previous_dataset(output: str) -> None:
    for name in _DATASET_FILES:
        storage.delete_file(storage.join(output, name))
    for name in _DATASET_DIRS:
        storage.delete_tree(storage.join(output, name))


def help_text() -> str:
    """Our flags: PipelineOptions parses leniently and never prints them itself."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.run", description=__doc__.split("\n\n")[0],
        epilog="Any Apache Beam pipeline option is accepted too (--runner, --project, --region, "
               "--temp_location, --direct_num_workers, ...). Locally: one DirectRunner worker process per core.")
    VideoDatasetOptions._add_argparse_args(parser)
    return parser.format_help()


def run(argv: Optional[Sequence[str]] = None, *, fetch_policy: FetchPolicy = DEFAULT_POLICY) -> int:
    """Parse, validate, run; the exit code. `fetch_policy` is for code only (tests that serve
    sources on 127.0.0.1): no flag or environment setting can loosen a worker's address checks."""
    argv = sys.argv[1:] if argv is None else argv
    if "-h" in argv or "--help" in argv:
        print(help_text())
        return 0
    argv = direct_runner_defaults(argv)
    options = PipelineOptions(argv)
    opts = options.view_as(VideoDatasetOptions)
    if not opts.manifest:
        from pipeline.synthetic_media import build_corpus
        print(f"No --manifest: making the demo corpus in {DEMO_CACHE} (once; it is cached)", flush=True)
        opts.manifest = build_corpus(DEMO_CACHE)
        opts.output = opts.output or os.path.abspath("demo-output")
    errors = validate(opts)
    if errors:
        print("Invalid options:\n  " + "\n  ".join(errors), file=sys.stderr)
        return 2
    config = dataclasses.replace(run_config(opts), fetch_policy=fetch_policy)
    try:
        manifest_paths = match_manifests(config.manifests)
    except ValueError as err:
        print(f"Invalid options:\n  {err}", file=sys.stderr)
        return 2
    clear_previous_dataset(config.dataset_dir)
    p = beam.Pipeline(options=options)
    build_pipeline(p, config, manifest_paths)
    result = p.run()
    if options.view_as(StandardOptions).runner not in _LOCAL_RUNNERS:
        # A remote job (or a Flex Template launch): do not hold the launcher until it ends;
        # its stats.json (and LATEST, with --run_id) are written when it finishes.
        print(f"Submitted; the dataset will be written to {config.dataset_dir}", flush=True)
        return 0
    result.wait_until_finish()
    stats = json.loads(storage.read_bytes(storage.join(config.dataset_dir, "stats.json")))
    print(summary_text(stats, config.dataset_dir, config.media_uri_prefix))
    return 0 if stats["gate"]["verdict"] == "pass" else 1


def main() -> None:
    logging.getLogger().setLevel(logging.WARNING)
    # The local job service relays every worker process's start-up warnings ("Discarding
    # unparseable args": our own flags); worker errors still come through at ERROR.
    logging.getLogger("apache_beam.runners.portability.local_job_service").setLevel(logging.ERROR)
    sys.exit(run())


if __name__ == "__main__":
    main()
