"""Errors go the right way through a real Beam pipeline: the input's faults become drop records;
the worker's faults (its disk) raise, so that the runner retries the bundle instead of losing rows."""
from __future__ import annotations

import os
import resource

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to

from tests import bad_inputs as B
from tests.http_servers import serving
from transforms.store import fetch
from transforms.stages.probe import ProbeVideos
from transforms.core.types import ManifestRow


def _options() -> PipelineOptions:
    return PipelineOptions(["--runner=DirectRunner", "--direct_running_mode=in_memory"])


def _row(row_id: str, uri: str) -> ManifestRow:
    return ManifestRow(row_id=row_id, video_uri=uri, prompt="p", annotations=(), location=f"m.jsonl:{row_id}")


def _probe(p, uris: dict[str, str], policy: fetch.FetchPolicy):
    grouped = p | beam.Create([(uri, [_row(row_id, uri)]) for row_id, uri in uris.items()])
    return grouped | ProbeVideos(timeout_seconds=30, fetch_policy=policy)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    (folder / "big.mp4").write_bytes(os.urandom(2_000_000))
    with serving(str(folder)) as srv:
        yield srv


@pytest.fixture
def loopback_allowed(server) -> fetch.FetchPolicy:
    """The explicit exemption for this loopback server, handed to the stage; the default refuses it."""
    return fetch.FetchPolicy(allow_networks=("127.0.0.1/32",), allowed_ports=(server.server_address[1],),
                             attempts=2, backoff_seconds=0.05, read_timeout=3.0)


def test_permanent_faults_become_drop_records(tmp_path, server, loopback_allowed):
    folder = str(tmp_path)
    video, text, _ = B.make_canary(folder)
    uris = {"hostile": B.make_hls_named_mp4(folder, video, text), "empty": B.make_zero_byte(folder),
            "gone": os.path.join(folder, "gone.mp4"), "http_404": server.base + "/missing.mp4",
            "http_500": server.base + "/error.mp4"}
    with beam.Pipeline(options=_options()) as p:
        probed = _probe(p, uris, loopback_allowed)
        reasons = probed.drops | beam.Map(lambda d: (d.row_id, d.reason.value))
        assert_that(reasons, equal_to([("hostile", "hostile_media"), ("empty", "unreadable_media"),
                                       ("gone", "source_not_found"), ("http_404", "remote_http_error"),
                                       ("http_500", "remote_unavailable")]), label="drops")
        assert_that(probed.videos, equal_to([]), label="videos")


def test_a_worker_disk_fault_fails_the_bundle_instead_of_dropping_the_row(server, loopback_allowed):
    # The fetch writes 2 MB to the worker's scratch disk; a 1 MB file-size limit makes that write
    # fail as a full disk would (EFBIG rather than ENOSPC: Python ignores SIGXFSZ and raises OSError).
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, hard))
    try:
        with pytest.raises(Exception, match="File too large"):
            with beam.Pipeline(options=_options()) as p:
                _probe(p, {"remote": server.base + "/files/big.mp4"}, loopback_allowed)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
