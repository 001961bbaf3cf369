"""Server-side copy, compose and generation against a real GCS server (the emulator)."""
from __future__ import annotations

import os
import resource
import signal

import pytest

from tests.gcs.emulator import BUCKET, read_text, storage_client
from transforms.store import gcs
from transforms.store import storage


def _put(name: str, data: bytes) -> str:
    storage_client().bucket(BUCKET).blob(name).upload_from_string(data)
    return f"gs://{BUCKET}/{name}"


def test_compose_plan_recurses_in_32s():
    assert gcs.compose_plan(5) == [[(0, 5)]]
    assert gcs.compose_plan(32) == [[(0, 32)]]
    levels = gcs.compose_plan(1000)
    assert [len(level) for level in levels] == [32, 1]
    assert levels[0][-1] == (992, 1000)
    assert [len(level) for level in gcs.compose_plan(32 * 32 + 1)] == [33, 2, 1]


@pytest.mark.parametrize("parts", [1, 3, 70])
def test_concat_on_gcs_composes_in_order_and_leaves_no_parts(gcs_emulator, parts):
    sources = [_put(f"compose-{parts}/shard-{i:03d}", f"line {i}\n".encode()) for i in range(parts)]
    dest = f"gs://{BUCKET}/compose-{parts}/all.jsonl"
    storage.concat(sources, dest)
    assert read_text(dest) == "".join(f"line {i}\n" for i in range(parts))
    names = {b.name for b in storage_client().list_blobs(BUCKET, prefix=f"compose-{parts}/")}
    assert names == {f"compose-{parts}/shard-{i:03d}" for i in range(parts)} | {f"compose-{parts}/all.jsonl"}


def test_copy_is_a_rewrite_and_identity_follows_generation(gcs_emulator):
    src = _put("copy/source.mp4", b"x" * 1000)
    first = storage.identity(src)
    storage.copy_file(src, f"gs://{BUCKET}/copy/dest.mp4")
    assert read_text(f"gs://{BUCKET}/copy/dest.mp4") == "x" * 1000
    assert storage.size(f"gs://{BUCKET}/copy/dest.mp4") == 1000
    _put("copy/source.mp4", b"y" * 1000)  # same name and size, a new upload
    assert storage.identity(src) != first
    assert first.endswith("-1000")


def test_localize_streams_to_scratch_and_leaves_nothing_when_it_fails(gcs_emulator, tmp_path):
    src = _put("localize/video.mp4", b"v" * 20_000_000)
    local = storage.localize(src, str(tmp_path))
    assert open(local, "rb").read() == b"v" * 20_000_000
    os.remove(local)
    # A scratch disk that fills up mid-download: writes past 1 MB fail (EFBIG, as ENOSPC would).
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, hard))
    try:
        with pytest.raises(OSError):
            storage.localize(src, str(tmp_path))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert os.listdir(tmp_path) == []  # the half download is gone: the next video has the disk
