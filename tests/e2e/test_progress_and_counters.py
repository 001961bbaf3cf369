"""What a run shows while it runs: Beam counters under stable names, and the live progress line on a terminal."""
from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.build import build_pipeline
from pipeline.options import VideoDatasetOptions, run_config
from pipeline.local_runner import direct_runner_defaults
from tests.cli import PYTHON, REPO, small_manifest
from transforms.stages import counters as C

pytestmark = pytest.mark.e2e


def test_counters_under_stable_names(tmp_path):
    """The counters the Dataflow UI shows live, here read from the DirectRunner's result at the end."""
    manifest = str(tmp_path / small_manifest(tmp_path, missing=1))
    argv = direct_runner_defaults(["--manifest", manifest, "--output", str(tmp_path / "out"),
                                   "--max_drop_rate", "1", "--validation_fraction", "0", "--num_shards", "1"])
    options = PipelineOptions(argv)
    p = beam.Pipeline(options=options)
    build_pipeline(p, run_config(options.view_as(VideoDatasetOptions)), [manifest])
    result = p.run()
    result.wait_until_finish()
    found = result.metrics().query(MetricsFilter().with_namespace(C.NAMESPACE))["counters"]
    totals = {}
    for counter in found:
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + counter.committed
    assert totals[C.ROWS_READ] == 4 and totals[C.SOURCES] == 2
    assert totals[C.SOURCES_PROBED] == 1 and totals[C.PROBE_BYTES_READ] > 0
    assert totals[C.CLIPS_PLANNED] == 1 and totals[C.CLIPS_MADE] == 1
    assert totals[C.DROPS] == totals[f"{C.DROPS}_source_not_found"] == 1


def _on_a_terminal(args, cwd) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal (as in a shell); its exit code and what the terminal showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))  # 160 columns
    env = dict(os.environ, PYTHONPATH=REPO)
    job = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed: the process has ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return job.wait(timeout=900), shown.decode("utf-8", "replace")


@pytest.mark.parametrize("quiet", [False, True])
def test_a_progress_line_on_a_terminal_unless_quiet(tmp_path, quiet):
    manifest = small_manifest(tmp_path)
    code, shown = _on_a_terminal([PYTHON, "-m", "pipeline.run", "--manifest", manifest, "--output", "out",
                                  "--validation_fraction", "0", "--num_shards", "1"] + (["--quiet"] if quiet else []),
                                 tmp_path)
    assert code == 0, shown[-3000:]
    if quiet:
        assert "clips cut" not in shown
    else:
        assert "clips cut: 1/1" in shown and "sources probed 1 of 1" in shown and "rows 3" in shown
        assert "elapsed, ETA" in shown
