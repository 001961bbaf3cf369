"""`python -m pipeline.validate PATH [--profile gemini-2.5]`: check an existing tuning dataset.

PATH is a JSONL file, local or gs://, or a glob (train and validation files together). Every
line is checked alone, every referenced video is probed once (the pipeline's own probe, out of
process), and the dataset as a whole is checked against the profile's limits. Runs as a Beam
pipeline (DirectRunner by default; pass --runner for millions of lines), prints a report
grouped by problem with line numbers, and exits 1 on any error (2 on bad arguments).
"""
from __future__ import annotations

import argparse
import dataclasses
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
from pipeline.run import direct_runner_defaults  # noqa: E402
from transforms.store import storage  # noqa: E402
from transforms.gemini import validate_dataset as V  # noqa: E402
from transforms.gemini.limits import RESOLUTIONS  # noqa: E402
from transforms.stages.probe import ProbeVideos  # noqa: E402
from transforms.gemini.profiles import Profile  # noqa: E402
from transforms.stages.read_manifest import match_manifests  # noqa: E402

PROG = "python -m pipeline.validate"
PROBLEMS = "problems"
REPORT_NAME = "validation-report.json"


def _read_lines(path: str):
    for number, raw in enumerate(storage.read_bytes(path).splitlines(), start=1):
        yield path, number, raw


class _CheckLineFn(beam.DoFn):
    def __init__(self, profile: Profile):
        self._profile = profile

    def process(self, element):
        path, number, raw = element
        if not raw.strip():
            yield beam.pvalue.TaggedOutput(PROBLEMS, V.Problem(V.WARNING, "blank_line", f"{path}:{number}",
                                                               "a blank line; remove it"))
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            yield beam.pvalue.TaggedOutput(PROBLEMS, V.Problem(V.ERROR, "not_utf8", f"{path}:{number}", str(err)))
            return
        facts, problems = V.check_line(path, number, text, self._profile)
        for problem in problems:
            yield beam.pvalue.TaggedOutput(PROBLEMS, problem)
        if facts is not None:
            yield facts


class _DatasetFn(beam.CombineFn):
    def create_accumulator(self):
        return V.DatasetFacts()

    def add_input(self, acc, facts):
        return acc.add(facts)

    def merge_accumulators(self, accs):
        accs = list(accs)
        return accs[0] if len(accs) == 1 else _merge_all(accs)

    def extract_output(self, acc):
        return acc


def _merge_all(accs):
    total = V.DatasetFacts()
    for acc in accs:
        total.merge(acc)
    return total


@dataclasses.dataclass(frozen=True)
class _VideoRef:
    """What ProbeVideos needs of a row (`row_id`, `location`) when a video is probed on its own."""

    uri: str

    @property
    def row_id(self) -> str:
        return self.uri

    @property
    def location(self) -> str:
        return self.uri


def _video_problems(facts: V.LineFacts, profile: Profile, default_resolution: str, infos, failures):
    if facts.video_uri in failures:
        code, detail = failures[facts.video_uri]
        yield V.Problem(V.ERROR, code, facts.location, detail)
    elif facts.video_uri in infos:
        yield from V.check_against_video(facts, infos[facts.video_uri], profile, default_resolution)


class _SampleFn(beam.CombineFn):
    """How many problems of one kind, and the first few by location: a report stays small at any scale."""

    def create_accumulator(self):
        return 0, []

    def add_input(self, acc, problem):
        count, sample = acc
        return count + 1, V.sample_problems([sample, [problem]])

    def merge_accumulators(self, accs):
        accs = list(accs)
        return sum(c for c, _ in accs), V.sample_problems(s for _, s in accs)

    def extract_output(self, acc):
        return acc


def _write_report(groups, lines: int, videos: int, report_uri: str) -> None:
    body = {"lines": lines, "videos": videos,
            "counts": [{"severity": severity, "code": code, "count": count}
                       for (severity, code), (count, _) in sorted(groups)],
            "problems": [dataclasses.asdict(p) for _, (_, sample) in sorted(groups) for p in sample]}
    storage.write_bytes(report_uri, json.dumps(body, indent=1).encode("utf-8"))


def build_validation(p: beam.Pipeline, paths: Sequence[str], profile: Profile, default_resolution: str,
                     probe_timeout: float, report_uri: str) -> None:
    lines = p | "DatasetFiles" >> beam.Create(list(paths)) | "ReadLines" >> beam.FlatMap(_read_lines)
    checked = lines | "CheckLines" >> beam.ParDo(_CheckLineFn(profile)).with_outputs(PROBLEMS, main="facts")
    # Each video is probed once, and the lines meet their video through side inputs: grouping
    # every line under its video would make one huge element of a video that a million lines use.
    probed = (checked.facts
              | "VideoUris" >> beam.Map(lambda f: f.video_uri)
              | "DistinctVideos" >> beam.Distinct()
              | "AsProbeInput" >> beam.Map(lambda uri: (uri, [_VideoRef(uri)]))
              | "SpreadVideos" >> beam.Reshuffle()
              | "ProbeVideos" >> ProbeVideos(probe_timeout))
    infos = probed.videos | "InfoByUri" >> beam.Map(lambda e: (e[0].uri, dataclasses.replace(e[0], keyframes=())))
    failures = probed.drops | "FailureByUri" >> beam.Map(lambda d: (d.source_uri, (d.reason.value, d.detail)))
    video_problems = checked.facts | "CheckAgainstVideos" >> beam.FlatMap(
        _video_problems, profile, default_resolution, beam.pvalue.AsDict(infos), beam.pvalue.AsDict(failures))
    dataset_problems = (checked.facts
                        | "DatasetFacts" >> beam.CombineGlobally(_DatasetFn())
                        | "CheckDataset" >> beam.FlatMap(V.check_dataset, profile))
    line_count = lines | "CountLines" >> beam.combiners.Count.Globally()
    video_count = probed.sources | "CountVideos" >> beam.combiners.Count.Globally()
    ((checked.problems, video_problems, dataset_problems)
     | "AllProblems" >> beam.Flatten()
     | "KeyByKind" >> beam.Map(lambda problem: ((problem.severity, problem.code), problem))
     | "SamplePerKind" >> beam.CombinePerKey(_SampleFn())
     | "CollectKinds" >> beam.combiners.ToList()
     | "WriteReport" >> beam.Map(_write_report, beam.pvalue.AsSingleton(line_count),
                                 beam.pvalue.AsSingleton(video_count), report_uri))


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
    if errors:
        print("Invalid arguments:\n  " + "\n  ".join(errors), file=sys.stderr)
        return 2
    profile = profile_from(args)
    report_uri = args.report or os.path.join(tempfile.mkdtemp(prefix="validate-"), REPORT_NAME)
    options = PipelineOptions(direct_runner_defaults(beam_args))
    with beam.Pipeline(options=options) as p:
        build_validation(p, paths, profile, args.media_resolution, args.probe_timeout, report_uri)
    report = json.loads(storage.read_bytes(report_uri))
    problems = V.problems_from_json(report["problems"])
    counts = {(c["severity"], c["code"]): c["count"] for c in report["counts"]}
    print(V.report_text(problems, report["lines"], report["videos"], profile.name, counts))
    return 1 if any(severity == V.ERROR for severity, _ in counts) else 0


def main() -> None:
    logging.getLogger().setLevel(logging.WARNING)
    sys.exit(run())


if __name__ == "__main__":
    main()
