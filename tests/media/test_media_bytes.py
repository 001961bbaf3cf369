"""Reading a source's bytes: counted, cached by block, and zeros (unread) where the probe skips."""
from __future__ import annotations

import pytest

from transforms.media.media_bytes import BlockCache, LocalBytes, MaskedView, open_bytes


@pytest.fixture()
def sample(tmp_path):
    path = tmp_path / "sample.bin"
    data = bytes(range(256)) * 1024  # 256 KiB
    path.write_bytes(data)
    return str(path), data


def test_masked_ranges_read_as_zeros_without_reading_the_source(sample):
    path, data = sample
    source = LocalBytes(path)
    view = MaskedView(source, [(1000, 200_000)])
    assert view.read(2000) == data[:1000] + bytes(1000)
    assert source.bytes_read == 1000
    view.seek(199_990)
    assert view.read(20) == bytes(10) + data[200_000:200_010]
    assert source.bytes_read == 1010


def test_a_revealed_part_of_a_mask_is_real(sample):
    path, data = sample
    view = MaskedView(LocalBytes(path), [(1000, 200_000)])
    view.reveal(5000, 6000)
    view.seek(4990)
    assert view.read(1020) == bytes(10) + data[5000:6000] + bytes(10)


def test_seek_from_the_end_and_reads_past_it(sample):
    path, data = sample
    view = MaskedView(LocalBytes(path))
    assert view.seek(-10, 2) == len(data) - 10
    assert view.read(100) == data[-10:]
    assert view.read(100) == b""


def test_the_block_cache_reads_each_block_once(sample):
    path, data = sample
    source = open_bytes(path)
    assert source.read_at(100, 50) == data[100:150]
    assert source.read_at(0, 1000) == data[:1000]
    assert source.bytes_read == 64 * 1024  # one block, read once
    assert source.read_at(65_000, 2000) == data[65_000:67_000]
    assert source.bytes_read == 2 * 64 * 1024


def test_the_block_cache_forgets_the_oldest_blocks(sample):
    path, data = sample
    source = BlockCache(LocalBytes(path), block_size=1024, max_blocks=2)
    for offset in (0, 1024, 2048, 0):
        assert source.read_at(offset, 10) == data[offset:offset + 10]
    assert source.bytes_read == 4 * 1024
