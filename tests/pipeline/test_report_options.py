"""--report: what it defaults to on each runner, and the step it adds (or not) to the pipeline."""
from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.build import build_pipeline
from pipeline.options import VideoDatasetOptions, report_mode, run_config
from pipeline.run import help_text


@pytest.mark.parametrize("chosen, runner, mode", [
    (None, None, "full"), (None, "DirectRunner", "full"), (None, "DataflowRunner", "summary"),
    ("full", "DataflowRunner", "full"), ("none", "DirectRunner", "none"), ("summary", None, "summary")])
def test_report_mode(chosen, runner, mode):
    assert report_mode(chosen, runner) == mode


def _config(*args):
    options = PipelineOptions(["--manifest=m.jsonl", "--output=out", *args])
    return options, run_config(options.view_as(VideoDatasetOptions))


def test_the_flag_reaches_the_config_and_the_help():
    assert _config()[1].report == "full"
    assert _config("--runner=DataflowRunner")[1].report == "summary"
    assert _config("--report=none")[1].report == "none"
    assert "--report {none,summary,full}" in help_text()


@pytest.mark.parametrize("flag, has_step", [("--report=full", True), ("--report=summary", True),
                                            ("--report=none", False)])
def test_the_pipeline_writes_the_report_after_the_stats_unless_none(flag, has_step):
    options, config = _config(flag)
    p = beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"]))
    build_pipeline(p, config, ["m.jsonl"])
    labels = set(p.applied_labels)
    assert ("WriteReport" in labels) is has_step
