"""`python -m pipeline.validate PATH [--profile gemini-2.5]`: check an existing tuning dataset.

PATH is a JSONL file, local or gs://, or a glob (train and validation files together). Every
line is checked alone, every referenced video is probed once (the pipeline's own probe, out of
process), and the dataset as a whole is checked against the profile's limits. Runs as a Beam
pipeline (DirectRunner by default; pass --runner for millions of lines), prints a report
grouped by problem with line numbers, and exits 1 on any error (2 on bad arguments).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from typing import Optional, Sequence

os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

import apache_beam as beam  # noqa: E402
from apache_beam.options.pipeline_options import PipelineOptions  # noqa: E402

from pipeline.flags import check_flags, options_parser  # noqa: E402
from pipeline.options import VideoDatasetOptions, add_profile_args, profile_errors, profile_from  # noqa: E402
from pipeline.local_runner import direct_runner_defaults, runner_for  # noqa: E402
from transforms.core.dataset_files import is_drop_record_file  # noqa: E402
from transforms.store import storage  # noqa: E402
from transforms.gemini import validation_report as R  # noqa: E402
from transforms.gemini.limits import RESOLUTIONS  # noqa: E402
from transforms.stages.read_manifest import match_manifests  # noqa: E402
from transforms.stages.validate import ValidateDataset  # noqa: E402

PROG = "python -m pipeline.validate"
REPORT_NAME = "validation-report.json"


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = _parser()
    args, beam_args = parser.parse_known_args(argv)
    return args, beam_args


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="JSONL file(s), local or gs://; a glob, or several separated by commas")
    parser.add_argument("--media_resolution", default="MEDIUM", type=str.upper, choices=RESOLUTIONS,
                        help="The resolution assumed for lines that set none (the service's default). "
                             "Default MEDIUM.")
    parser.add_argument("--probe_timeout", type=float, default=120.0)
    parser.add_argument("--report", default=None,
                        help="Where to write the report as JSON (local or gs://). Default: a temporary file.")
    parser.add_argument("--max_file_bytes", type=int, default=None)
    parser.add_argument("--max_clip_seconds", type=float, default=None)
    add_profile_args(parser)
    return parser


def run(argv: Optional[Sequence[str]] = None) -> int:
    args, beam_args = parse_args(sys.argv[1:] if argv is None else argv)
    # What is not ours must be a Beam option (--runner, ...): a typo is an error, not ignored.
    ours = [s for action in _parser()._actions for s in action.option_strings if s.startswith("--")]
    flag_errors = check_flags(beam_args, options_parser(PROG, exclude=(VideoDatasetOptions,)), also_known=ours)
    if flag_errors:
        print(f"{PROG}: " + f"\n{PROG}: ".join(flag_errors), file=sys.stderr)
        return 2
    errors = profile_errors(args)
    try:
        paths = match_manifests(p.strip() for p in args.path.split(",") if p.strip())
    except ValueError as err:
        errors.append(str(err).replace("manifest", "dataset"))
        paths = []
    # The README's 'gs://bucket/ds/*.jsonl' matches the dataset's drops.jsonl too: said, not checked.
    skipped = [path for path in paths if is_drop_record_file(path)]
    paths = [path for path in paths if not is_drop_record_file(path)]
    for path in skipped:
        print(f"{PROG}: skipped {path}: the pipeline's drop records, not tuning lines", file=sys.stderr)
    if skipped and not paths:
        errors.append(f"{args.path!r} names only drop record files, no tuning file")
    if errors:
        print("Invalid arguments:\n  " + "\n  ".join(errors), file=sys.stderr)
        return 2
    profile = profile_from(args)
    report_uri = args.report or os.path.join(tempfile.mkdtemp(prefix="validate-"), REPORT_NAME)
    options = PipelineOptions(direct_runner_defaults(beam_args))
    with beam.Pipeline(runner=runner_for(options), options=options) as p:
        _ = (p
             | "DatasetFiles" >> beam.Create(list(paths))
             | "ValidateDataset" >> ValidateDataset(profile, args.media_resolution, args.probe_timeout, report_uri))
    report = json.loads(storage.read_bytes(report_uri))
    problems = R.problems_from_json(report["problems"])
    counts = {(c["severity"], c["code"]): c["count"] for c in report["counts"]}
    print(R.report_text(problems, report["lines"], report["videos"], profile.name, counts))
    return 1 if any(severity == R.ERROR for severity, _ in counts) else 0


def main() -> None:
    logging.getLogger().setLevel(logging.WARNING)
    # The local job service relays every worker's start-up warnings; errors still come through.
    logging.getLogger("apache_beam.runners.portability.local_job_service").setLevel(logging.ERROR)
    sys.exit(run())


if __name__ == "__main__":
    main()
