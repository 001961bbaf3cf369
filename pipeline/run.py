"""Entry point: `python -m pipeline.run --manifest videos.jsonl --output out/ [--media_resolution LOW]`.

With no --manifest, makes (once, cached) a small demo corpus and runs on it. `run(argv)` only
parses and validates; `build_pipeline` builds; the exit code follows the gate.
"""
from __future__ import annotations

import argparse
import atexit
import contextlib
import dataclasses
import json
import logging
import os
import sys
import threading
from typing import NoReturn, Optional, Sequence

# gRPC (inside Beam) logs a line at every fork of a child process; we fork ffmpeg a lot.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

import apache_beam as beam  # noqa: E402
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions
from apache_beam.runners.runner import PipelineState

from pipeline import fingerprint as fp
from pipeline.build import build_pipeline
from pipeline.flags import check_flags, options_parser
from pipeline.local_runner import direct_runner_defaults, runner_for
from pipeline.options import LOCAL_RUNNERS, VideoDatasetOptions, run_config, validate
from pipeline.progress import ProgressLine, wanted as progress_wanted
from pipeline.summary import summary_text
from transforms.core.publication import GATE_FAILED, STATS, gate_failure
from transforms.stages.publish import point_latest
from transforms.store import local_files
from transforms.store import storage
from transforms.store.fetch import DEFAULT_POLICY, FetchPolicy
from transforms.stages.read_manifest import match_manifests

PROG = "python -m pipeline.run"
DEMO_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "gemini-video-dataset", "demo-corpus")


def help_text() -> str:
    """Our flags: PipelineOptions parses leniently and never prints them itself."""
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.split("\n\n")[0],
        epilog="Any Apache Beam pipeline option is accepted too (--runner, --project, --region, "
               "--temp_location, --direct_num_workers, ...). Locally: one DirectRunner worker process per core.")
    VideoDatasetOptions._add_argparse_args(parser)
    return parser.format_help()


def run(argv: Optional[Sequence[str]] = None, *, fetch_policy: FetchPolicy = DEFAULT_POLICY) -> int:
    """Parse, validate, run; the exit code. `fetch_policy` is for code only (tests that serve
    sources on 127.0.0.1): no flag or environment setting can loosen a worker's address checks."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        print(help_text())
        return 0
    flag_errors = check_flags(argv, options_parser(PROG))
    if flag_errors:
        print(f"{PROG}: " + f"\n{PROG}: ".join(flag_errors), file=sys.stderr)
        return 2
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
    if storage.is_local(config.output):
        # A run killed mid-write left its temporary files (no live writer holds them): remove them.
        local_files.sweep_orphans(config.output)
    runner = options.view_as(StandardOptions).runner
    fingerprint, why = fp.check(manifest_paths, config, _runner_settings(options), config.dataset_dir)
    if why is None and not opts.always_run:
        return _keep(config, fingerprint.value)
    if why is not None and storage.exists(fp.record_uri(config.dataset_dir)):
        print(f"A dataset is published in {config.dataset_dir}, but {why}: making it again.", flush=True)
    # Only the folder this run writes into is cleared: the published dataset (and LATEST)
    # stay as they are until this run's gate passes.
    storage.delete_tree(config.written_dir)
    remote = runner not in LOCAL_RUNNERS
    progress = ProgressLine() if not remote and progress_wanted(opts.quiet) else contextlib.nullcontext()
    try:
        with progress as progress_dir:
            p = beam.Pipeline(runner=runner_for(options), options=options)
            build_pipeline(p, config, manifest_paths, progress_dir, fingerprint)
            result = p.run()
            if remote and not opts.wait:
                # A remote job (or a Flex Template launch): do not hold the launcher until it ends.
                print(f"Submitted; the dataset will be published to {config.dataset_dir} if its gate passes "
                      "(the job fails otherwise). Pass --wait to wait for the job and its verdict.", flush=True)
                return 0
            state = result.wait_until_finish()
    except Exception as err:  # the job failed: a refused dataset, or a crash (re-raised)
        return _report_failure(config, err)
    if remote and state != PipelineState.DONE:
        print(f"The job ended {state}; nothing was published.", file=sys.stderr)
        return 1
    stats = json.loads(storage.read_bytes(storage.join(config.dataset_dir, "stats.json")))
    print(summary_text(stats, config.dataset_dir, config.media_uri_prefix))
    if config.report != "none":
        print(f"Report: {storage.join(config.dataset_dir, 'report.html')} ({config.report})")
    return 0


def _runner_settings(options: PipelineOptions) -> dict:
    """What of the runner shapes a clip's bytes (x264's thread count follows the workers)."""
    direct = options.view_as(DirectOptions)
    return {"runner": options.view_as(StandardOptions).runner, "direct_num_workers": direct.direct_num_workers,
            "direct_running_mode": direct.direct_running_mode}


def _keep(config, fingerprint: str) -> int:
    """A rerun with nothing new: the published dataset is what it would write again. It stays as it is
    (with --run_id, LATEST names it again); what a full run would leave behind is cleared too."""
    if config.run_id:
        point_latest(config.output, config.dataset_dir)
    else:
        storage.delete_tree(config.written_dir)  # a refused run's staging: a full run would replace it
    stats = json.loads(storage.read_bytes(storage.join(config.dataset_dir, STATS)))
    print(summary_text(stats, config.dataset_dir, config.media_uri_prefix))
    print(f"Nothing new since this dataset was published (same manifests, sources, flags and code; run "
          f"{fingerprint[:12]}): kept it as it is, no pipeline ran; its stats.json is the run's that made it. "
          "Pass --always_run to run anyway.", flush=True)
    return 0


def _report_failure(config, err: Exception) -> int:
    """A job that the gate failed: its summary and exit 1. Any other failure propagates."""
    stats_path = storage.join(config.written_dir, STATS)
    try:
        stats = json.loads(storage.read_bytes(stats_path))
    except Exception:  # no stats.json of this run: it crashed before the gate
        raise err
    if stats["gate"]["verdict"] == "pass":
        raise err  # the gate passed and publishing failed
    print(summary_text(stats, config.written_dir, config.media_uri_prefix))
    if config.report != "none":
        print(f"Report of the refused dataset: {storage.join(config.written_dir, 'report.html')}")
    print(f"Nothing was published: {config.dataset_dir} "
          + ("and LATEST are" if config.run_id else "is") + " as before this run.")
    # Last on stderr too, after the worker's traceback of the job's failure.
    print(gate_failure(stats, config.written_dir), file=sys.stderr)
    return 1


def main() -> None:
    logging.getLogger().setLevel(logging.WARNING)
    # The local job service relays every worker process's start-up warnings ("Discarding
    # unparseable args": our own flags); worker errors still come through at ERROR.
    relay = logging.getLogger("apache_beam.runners.portability.local_job_service")
    relay.setLevel(logging.ERROR)
    # A refused dataset fails the job on purpose; the summary below says why, once.
    relay.addFilter(lambda record: GATE_FAILED not in record.getMessage())
    exit_without_teardown(run())


def exit_without_teardown(code: int) -> NoReturn:
    """Exit with `code` once the output is flushed and the atexit handlers have run, skipping the
    interpreter's teardown of what the local runner leaves behind (its in-process gRPC server and
    about 180,000 objects): measured at 0.6 s after every run, with the dataset already published.
    With a thread of ours still running, the ordinary exit instead (it waits for that thread)."""
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    try:
        atexit._run_exitfuncs()  # temporary files' finalizers, a portable runner's job server
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # e.g. a closed pipe on stdout: the ordinary exit reports it
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    main()
