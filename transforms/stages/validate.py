"""ValidateDataset: check an existing tuning dataset, line by line, video by video, as a whole.

The checks are pure (transforms/gemini/validate_dataset.py); this wires them into Beam, probing
each referenced video once with the pipeline's own probe. `python -m pipeline.validate` runs it.
"""
from __future__ import annotations

import dataclasses
import json

import apache_beam as beam

from transforms.gemini import validate_dataset as V
from transforms.gemini import validation_report as R
from transforms.gemini.profiles import Profile
from transforms.stages.probe import ProbeVideos
from transforms.store import storage

PROBLEMS = "problems"


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
    """What ProbeVideos needs of a row (`row_id`, `location`, `uses_frames`) when a video is probed on its own."""

    uri: str

    @property
    def row_id(self) -> str:
        return self.uri

    @property
    def uses_frames(self) -> bool:
        """ProbeVideos asks whether a row counts in frames; a tuning line's video never does."""
        return False

    @property
    def location(self) -> str:
        return self.uri


def _video_problems(facts: V.LineFacts, profile: Profile, default_resolution: str, infos, failures):
    for part in facts.videos:
        if part.video_uri in failures:
            code, detail = failures[part.video_uri]
            yield V.Problem(V.ERROR, code, facts.location, detail)
    yield from V.check_against_videos(facts, infos, profile, default_resolution)


class _SampleFn(beam.CombineFn):
    """How many problems of one kind, and the first few by location: a report stays small at any scale."""

    def create_accumulator(self):
        return 0, []

    def add_input(self, acc, problem):
        count, sample = acc
        return count + 1, R.sample_problems([sample, [problem]])

    def merge_accumulators(self, accs):
        accs = list(accs)
        return sum(c for c, _ in accs), R.sample_problems(s for _, s in accs)

    def extract_output(self, acc):
        return acc


def _write_report(groups, lines: int, videos: int, report_uri: str) -> None:
    body = {"lines": lines, "videos": videos,
            "counts": [{"severity": severity, "code": code, "count": count}
                       for (severity, code), (count, _) in sorted(groups)],
            "problems": [dataclasses.asdict(p) for _, (_, sample) in sorted(groups) for p in sample]}
    storage.write_bytes(report_uri, json.dumps(body, indent=1).encode("utf-8"))


@dataclasses.dataclass
class ValidateDataset(beam.PTransform):
    """Dataset file paths -> the report at `report_uri` (problems grouped by kind, first few of each)."""

    profile: Profile
    default_resolution: str
    probe_timeout: float
    report_uri: str

    def expand(self, paths):
        profile, default_resolution, report_uri = self.profile, self.default_resolution, self.report_uri
        lines = paths | "ReadLines" >> beam.FlatMap(_read_lines)
        checked = lines | "CheckLines" >> beam.ParDo(_CheckLineFn(profile)).with_outputs(PROBLEMS, main="facts")
        # Each video is probed once, and the lines meet their video through side inputs: grouping
        # every line under its video would make one huge element of a video that a million lines use.
        probed = (checked.facts
                  | "VideoUris" >> beam.FlatMap(lambda f: [part.video_uri for part in f.videos])
                  | "DistinctVideos" >> beam.Distinct()
                  | "AsProbeInput" >> beam.Map(lambda uri: (uri, [_VideoRef(uri)]))
                  | "SpreadVideos" >> beam.Reshuffle()
                  | "ProbeVideos" >> ProbeVideos(self.probe_timeout))
        infos = probed.videos | "InfoByUri" >> beam.Map(lambda e: (e[0].uri, dataclasses.replace(
            e[0], keyframes=(), frame_runs=(), keyframe_leads=())))
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
