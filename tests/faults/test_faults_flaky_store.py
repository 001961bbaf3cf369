"""Our own GCS calls (compose, server-side copy) survive a store that fails, through the
client's retry policy: the flaky proxy in front of the emulator fails a seeded quarter of the
requests, many of them after the server did the work (the retry repeats a done write)."""
from __future__ import annotations

import pytest

from benchmarks.faults.flaky_proxy import FlakyProxy, object_of
from tests.gcs.emulator import BUCKET, read_text, storage_client
from transforms.store import gcs


@pytest.fixture()
def flaky_gcs(gcs_emulator, monkeypatch):
    """gcs.py's client, talking to the emulator through a proxy that fails a quarter of the requests."""
    proxy = FlakyProxy(gcs_emulator, rate=0.25, seed=15, stall_seconds=0.2).start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
    monkeypatch.setattr(gcs, "_client", None)
    yield proxy
    proxy.stop()
    monkeypatch.setattr(gcs, "_client", None)


def _put(name: str, data: bytes) -> str:  # straight to the emulator: the set-up is not under test
    storage_client().bucket(BUCKET).blob(name).upload_from_string(data)
    return f"gs://{BUCKET}/{name}"


def test_compose_through_a_flaky_store_gives_the_parts_in_order_and_leaves_nothing(flaky_gcs):
    parts = [_put(f"flaky-compose/part-{i:03d}", f"line {i}\n".encode()) for i in range(33)]  # two levels
    gcs.compose(parts, f"gs://{BUCKET}/flaky-compose/all.jsonl")
    stats = flaky_gcs.stats.as_dict()
    assert stats["faults_total"] >= 3, stats  # the faults really happened, and were retried
    assert read_text(f"gs://{BUCKET}/flaky-compose/all.jsonl") == "".join(f"line {i}\n" for i in range(33))
    names = {b.name for b in storage_client().list_blobs(BUCKET, prefix="flaky-compose/")}
    assert not [n for n in names if ".compose/" in n], "intermediate objects left behind"
    composes = [path for method, path in flaky_gcs.stats.seen if path.split("?")[0].endswith("/compose")]
    assert composes and all("ifGenerationMatch=" in path for path in composes)  # what makes them retryable


def test_server_side_copy_through_a_flaky_store(flaky_gcs):
    source = _put("flaky-copy/source.mp4", b"\x00video" * 5000)
    for i in range(4):
        gcs.copy(source, f"gs://{BUCKET}/flaky-copy/copy-{i}.mp4")
    assert flaky_gcs.stats.as_dict()["faults_total"] >= 1
    rewrites = [path for _, path in flaky_gcs.stats.seen if "/rewriteTo/" in path]
    assert rewrites and all("ifGenerationMatch=0" in p and "ifSourceGenerationMatch=" in p for p in rewrites)
    bucket = storage_client().bucket(BUCKET)
    for i in range(4):
        assert bucket.blob(f"flaky-copy/copy-{i}.mp4").download_as_bytes() == b"\x00video" * 5000


def test_an_empty_compose_and_a_recopy_over_an_existing_object(flaky_gcs):
    gcs.compose([], f"gs://{BUCKET}/flaky-empty/none.jsonl")
    assert read_text(f"gs://{BUCKET}/flaky-empty/none.jsonl") == ""
    source = _put("flaky-empty/src", b"new bytes")
    _put("flaky-empty/dest", b"old")
    gcs.copy(source, f"gs://{BUCKET}/flaky-empty/dest")
    assert read_text(f"gs://{BUCKET}/flaky-empty/dest") == "new bytes"


def test_the_proxy_names_the_object_of_each_request():
    assert object_of("GET", "/storage/v1/b/bk/o/media%2Fa.mp4?alt=media") == "bk/media/a.mp4"
    assert object_of("POST", "/upload/storage/v1/b/bk/o?uploadType=resumable&name=x%2Fy") == "bk/x/y"
    assert object_of("POST", "/storage/v1/b/bk/o/train.jsonl/compose") == "bk/train.jsonl"
    assert object_of("POST", "/storage/v1/b/src/o/a.mp4/rewriteTo/b/bk/o/media%2Fb.mp4") == "bk/media/b.mp4"
    assert object_of("GET", "/storage/v1/b/bk/o?prefix=x") == "list bk"
