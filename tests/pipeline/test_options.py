import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.options import VideoDatasetOptions, validate


def opts(*args):
    return PipelineOptions(list(args)).view_as(VideoDatasetOptions)


def test_defaults():
    o = opts("--output=out")
    assert (o.media_resolution, o.validation_fraction, o.max_drop_rate, o.timestamp_decimals, o.num_shards) == (
        "LOW", 0.1, 0.10, 0, 16)
    assert validate(o) == []


def test_resolution_is_upper_cased():
    assert opts("--output=out", "--media_resolution=medium").media_resolution == "MEDIUM"


@pytest.mark.parametrize("args", [
    ["--output=gs://bucket/ds"],
    ["--output=out", "--validation_fraction=0"],
    ["--output=out", "--validation_fraction=0.99"],
    ["--output=out", "--max_drop_rate=0"],
    ["--output=out", "--max_drop_rate=1"],
    ["--output=out", "--max_file_bytes=1000000"],
    ["--output=out", "--max_clip_seconds=5.5"],
    ["--output=out", "--max_height=144"],
    ["--output=out", "--timestamp_decimals=3"],
    ["--output=out", "--num_shards=1"],
    ["--output=out", "--media_uri_prefix=gs://b/ds/media"],
    ["--output=out", "--media_resolution=HIGH", "--prompt=Describe."],
])
def test_valid(args):
    assert validate(opts(*args)) == []


@pytest.mark.parametrize("args, message", [
    ([], "--output is required"),
    (["--output="], "--output is required"),
    (["--output=o", "--validation_fraction=1"], "--validation_fraction must be in [0, 1), got 1.0"),
    (["--output=o", "--validation_fraction=-0.1"], "--validation_fraction must be in [0, 1), got -0.1"),
    (["--output=o", "--max_drop_rate=1.5"], "--max_drop_rate must be in [0, 1], got 1.5"),
    (["--output=o", "--max_drop_rate=-0.01"], "--max_drop_rate must be in [0, 1], got -0.01"),
    (["--output=o", "--max_file_bytes=999999"], "--max_file_bytes 999999 is too small"),
    (["--output=o", "--max_clip_seconds=5"], "--max_clip_seconds must be over 5, got 5.0"),
    (["--output=o", "--max_height=143"], "--max_height must be at least 144, got 143"),
    (["--output=o", "--timestamp_decimals=4"], "--timestamp_decimals must be 0 to 3, got 4"),
    (["--output=o", "--timestamp_decimals=-1"], "--timestamp_decimals must be 0 to 3, got -1"),
    (["--output=o", "--num_shards=0"], "--num_shards must be at least 1, got 0"),
    (["--output=o", "--media_uri_prefix=bucket/ds/media"], "--media_uri_prefix must be a URI"),
])
def test_each_error(args, message):
    errors = validate(opts(*args))
    assert len(errors) == 1, errors
    assert message in errors[0]


def test_all_errors_reported_together():
    errors = validate(opts("--validation_fraction=2", "--max_drop_rate=2", "--max_file_bytes=10",
                           "--max_clip_seconds=1", "--max_height=10", "--timestamp_decimals=9",
                           "--num_shards=0", "--media_uri_prefix=x"))
    assert len(errors) == 9
    for flag in ("--output", "--validation_fraction", "--max_drop_rate", "--max_file_bytes", "--max_clip_seconds",
                 "--max_height", "--timestamp_decimals", "--num_shards", "--media_uri_prefix"):
        assert sum(e.startswith(flag) for e in errors) == 1, flag


@pytest.mark.parametrize("argv, expected", [
    ([], ["--runner=DirectRunner", "--direct_running_mode=multi_processing", "--direct_num_workers=N"]),
    (["--runner", "DirectRunner"],
     ["--runner", "DirectRunner", "--direct_running_mode=multi_processing", "--direct_num_workers=N"]),
    (["--runner=DataflowRunner"], ["--runner=DataflowRunner"]),
    (["--direct_running_mode=in_memory"], ["--direct_running_mode=in_memory", "--runner=DirectRunner"]),
])
def test_direct_runner_defaults(argv, expected):
    import os

    from pipeline.local_runner import direct_runner_defaults
    cores = str(os.cpu_count() or 2)
    assert direct_runner_defaults(argv) == [a.replace("=N", "=" + cores) for a in expected]


def test_help_lists_every_flag(capsys):
    from pipeline.run import run
    assert run(["--help"]) == 0
    printed = capsys.readouterr().out
    for flag in ("--manifest", "--output", "--media_resolution", "--max_drop_rate", "--validation_fraction",
                 "--max_file_bytes", "--profile", "--run_id", "Apache Beam pipeline option"):
        assert flag in printed


@pytest.mark.parametrize("args, message", [
    (["--max_output_fps=1.5"], "--max_output_fps 1.5 is below 2 x the 1 frames"),
    (["--max_output_fps=7", "--fps=4"], "use at least 8"),
])
def test_max_output_fps_is_refused_below_twice_the_sampling_rate(args, message):
    errors = validate(opts("--output=out", *args))
    assert len(errors) == 1 and message in errors[0], errors


@pytest.mark.parametrize("args", [["--max_output_fps=2"], ["--max_output_fps=8", "--fps=4"], ["--max_output_fps=60"]])
def test_max_output_fps_at_or_above_twice_the_sampling_rate(args):
    assert validate(opts("--output=out", *args)) == []


def test_oversize_and_max_output_fps_reach_the_planners_limits():
    from pipeline.options import run_config
    config = run_config(opts("--output=out", "--manifest=m.jsonl", "--oversize=split", "--max_output_fps=8",
                             "--system_instruction=Be brief."))
    assert (config.limits.oversize, config.limits.fps_cap, config.system_instruction) == ("split", 8.0, "Be brief.")
    default = run_config(opts("--output=out", "--manifest=m.jsonl"))
    assert (default.limits.oversize, default.limits.fps_cap, default.system_instruction) == ("transcode", None, None)


def test_oversize_choices_are_enforced():
    with pytest.raises(SystemExit):
        opts("--output=out", "--oversize=shrink").oversize


def test_local_runs_go_straight_to_the_fn_api_runner(caplog):
    import logging

    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.runners.portability.fn_api_runner.fn_runner import FnApiRunner
    from apache_beam.testing.util import assert_that, equal_to

    from pipeline.local_runner import direct_runner_defaults, runner_for
    options = PipelineOptions(direct_runner_defaults(["--direct_running_mode=in_memory"]))
    assert isinstance(runner_for(options), FnApiRunner)
    assert runner_for(PipelineOptions(["--runner=DataflowRunner"])) is None
    for runner, tries_prism in ((runner_for(options), False), (None, True)):  # ours, then Beam's own pick
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="apache_beam.runners.direct"):
            with beam.Pipeline(runner=runner, options=options) as p:
                assert_that(p | beam.Create([1, 2]) | beam.Map(lambda x: x * 2), equal_to([2, 4]))
        assert ("Running pipeline with PrismRunner" in caplog.text) is tries_prism
