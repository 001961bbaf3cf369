"""Server-side copy, compose and generation against a real GCS server (the emulator)."""
from __future__ import annotations

import pytest

from tests.gcs.emulator import BUCKET, read_text, storage_client
from transforms import gcs, storage


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
