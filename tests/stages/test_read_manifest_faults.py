"""ReadManifest tells the store's faults from the file's: a store error raises (the runner retries
the bundle), and never becomes a permanent `unreadable_manifest` that loses every row of the file."""
from __future__ import annotations

import json

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to

from transforms.stages.read_manifest import ReadManifest
from transforms.store import storage

ROWS = [{"id": f"r{i}", "video_uri": f"v{i}.mp4", "prompt": "p", "annotations": []} for i in range(3)]


def _manifest(tmp_path) -> str:
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    return str(path)


def _fail_first_reads(monkeypatch, times: int) -> list:
    """The store fails the first `times` reads (as GCS does with a 503 or a reset), then recovers."""
    real, failures = storage.read_bytes, []

    def flaky(uri: str) -> bytes:
        if len(failures) < times:
            failures.append(uri)
            raise ConnectionResetError(f"connection reset while reading {uri}")
        return real(uri)
    monkeypatch.setattr(storage, "read_bytes", flaky)
    return failures


def test_a_transient_store_error_is_retried_and_every_row_is_read(tmp_path, monkeypatch):
    path = _manifest(tmp_path)
    failures = _fail_first_reads(monkeypatch, times=1)
    # The BundleBasedDirectRunner runs in this process and retries a failed bundle, as Dataflow does.
    with beam.Pipeline(options=PipelineOptions(["--runner=BundleBasedDirectRunner"])) as p:
        out = p | ReadManifest([path])
        assert_that(out["rows"] | beam.Map(lambda r: r.row_id), equal_to(["r0", "r1", "r2"]), label="rows")
        assert_that(out["drops"], equal_to([]), label="drops")
        assert_that(out["count"], equal_to([3]), label="count")
    assert failures == [path]


def test_a_store_that_keeps_failing_fails_the_job_loudly(tmp_path, monkeypatch):
    path = _manifest(tmp_path)
    _fail_first_reads(monkeypatch, times=100)
    with pytest.raises(Exception, match="connection reset"):
        with beam.Pipeline(options=PipelineOptions(["--runner=BundleBasedDirectRunner"])) as p:
            _ = p | ReadManifest([path])
