"""Random access to a source's bytes, wherever it lives, counting every byte read.

The probe reads a source through these instead of downloading it: a local file by `pread`, a
Cloud Storage object by ranged requests (the generation that was identified, so a new upload
mid-run cannot mix two versions). `MaskedView` is what PyAV is given: a file object that serves
zeros, without reading them, for the byte ranges the probe has no use for (the MP4 payload, see
mp4_boxes.py). This module is imported by the probe child, so the Cloud Storage client is
imported only when a gs:// source is read.
"""
from __future__ import annotations

import io
import os
from collections import OrderedDict
from typing import Optional, Sequence

# Ranged reads from Cloud Storage: the first request is small (an MP4's header is what a probe
# needs), and each request that continues the last one doubles, so a whole-file read (a
# container without an index) takes few round trips.
_FIRST_WINDOW = 64 * 1024
_MAX_WINDOW = 8 * 1024 * 1024


class SourceReadError(Exception):
    """The store failed to serve bytes (a 5xx, a dropped connection): not the file's fault, so the
    probe child exits with TRANSIENT_EXIT and the worker retries instead of dropping the row.
    Deliberately not an OSError, which the probe reports as unreadable media."""


# The probe child's exit status when the store, not the file, failed (sysexits' EX_TEMPFAIL).
TRANSIENT_EXIT = 75


class LocalBytes:
    def __init__(self, path: str):
        self._fd = os.open(path, os.O_RDONLY)
        self.size = os.fstat(self._fd).st_size
        self.bytes_read = 0

    def read_at(self, offset: int, count: int) -> bytes:
        data = os.pread(self._fd, max(0, min(count, self.size - offset)), offset)
        self.bytes_read += len(data)
        return data

    def close(self) -> None:
        os.close(self._fd)


class GcsBytes:
    """One generation of one object, read by ranges through a window that grows on sequential reads."""

    def __init__(self, uri: str, generation: Optional[int] = None, size: Optional[int] = None):
        from google.cloud import storage  # only a gs:// source pays for the import

        self._uri, self._generation = uri, generation
        bucket, _, name = uri[len("gs://"):].partition("/")
        bucket = _client(storage).bucket(bucket)
        if generation is not None and size is not None:  # identified already: no metadata request
            self._blob, self.size = bucket.blob(name, generation=generation), size
        else:
            try:
                self._blob = bucket.get_blob(name, generation=generation)
            except Exception as err:
                raise SourceReadError(f"reading {uri}'s metadata: {err}") from err
            if self._blob is None:
                raise self._gone()
            self.size = int(self._blob.size)
        self.bytes_read = 0
        self._start = 0
        self._buffer = b""
        self._window = _FIRST_WINDOW

    def read_at(self, offset: int, count: int) -> bytes:
        parts = []
        end = min(offset + count, self.size)
        while offset < end:
            if not self._start <= offset < self._start + len(self._buffer):
                self._fill(offset)
            piece = self._buffer[offset - self._start:end - self._start]
            parts.append(piece)
            offset += len(piece)
        return b"".join(parts)

    def _fill(self, offset: int) -> None:
        sequential = offset == self._start + len(self._buffer)
        self._window = min(self._window * 2, _MAX_WINDOW) if sequential else _FIRST_WINDOW
        end = min(offset + self._window, self.size)
        try:  # raw: the stored bytes, never a decompressed view that would not match `size`
            self._buffer = self._blob.download_as_bytes(start=offset, end=end - 1, raw_download=True,
                                                        checksum=None)
        except Exception as err:  # the client raises api_core, requests and auth errors alike
            if getattr(err, "code", None) == 404:
                raise self._gone() from err
            raise SourceReadError(f"reading {self._uri} bytes {offset}-{end}: {err}") from err
        self._start = offset
        self.bytes_read += len(self._buffer)

    def _gone(self) -> SourceReadError:
        """Replaced or deleted since it was identified: a retry sees what is there now."""
        return SourceReadError(f"{self._uri} generation {self._generation} is no longer there")

    def close(self) -> None:
        self._buffer = b""


def _client(storage):
    """The client Beam would make: default credentials, or anonymous when there are none."""
    import google.auth
    try:
        credentials, project = google.auth.default()
    except google.auth.exceptions.DefaultCredentialsError:
        return storage.Client.create_anonymous_client()
    return storage.Client(credentials=credentials, project=project or "none")


class BlockCache:
    """Keeps the blocks read last, so that reading a header twice (two opens) costs the source once."""

    def __init__(self, source, block_size: int = 64 * 1024, max_blocks: int = 256):
        self._source = source
        self._block_size = block_size
        self._max_blocks = max_blocks
        self._blocks: "OrderedDict[int, bytes]" = OrderedDict()
        self.size = source.size

    @property
    def bytes_read(self) -> int:
        return self._source.bytes_read

    def read_at(self, offset: int, count: int) -> bytes:
        end = min(offset + count, self.size)
        parts = []
        while offset < end:
            index, skip = divmod(offset, self._block_size)
            block = self._block(index)
            piece = block[skip:skip + end - offset]
            if not piece:
                break
            parts.append(piece)
            offset += len(piece)
        return b"".join(parts)

    def _block(self, index: int) -> bytes:
        block = self._blocks.pop(index, None)
        if block is None:
            block = self._source.read_at(index * self._block_size, self._block_size)
            if len(self._blocks) >= self._max_blocks:
                self._blocks.popitem(last=False)
        self._blocks[index] = block
        return block

    def close(self) -> None:
        self._blocks.clear()
        self._source.close()


def open_bytes(uri: str, generation: Optional[int] = None, size: Optional[int] = None) -> BlockCache:
    """The bytes of a path or a gs:// URI (that generation, when given), read through a block cache.

    `size` with `generation`: the object as identified already, so reading it needs no metadata request.
    """
    source = GcsBytes(uri, generation, size) if uri.startswith("gs://") else LocalBytes(uri)
    return BlockCache(source)


def read_all(source, chunk_size: int = 4 * 1024 * 1024):
    """The source's bytes, chunk after chunk, from the start."""
    for offset in range(0, source.size, chunk_size):
        yield source.read_at(offset, chunk_size)


class MaskedView(io.RawIOBase):
    """A read-only file over a byte source that reads zeros in `masked` ranges without fetching them.

    `reveal` makes part of a masked range real again (the one frame the probe decodes).
    """

    def __init__(self, source, masked: Sequence[tuple[int, int]] = ()):
        super().__init__()
        self._source = source
        self._masked = sorted(masked)
        self._revealed: list[tuple[int, int]] = []
        self._position = 0

    def reveal(self, start: int, end: int) -> None:
        self._revealed.append((start, end))

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._source.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def read(self, count: int = -1) -> bytes:
        end = self._source.size if count is None or count < 0 else min(self._position + count, self._source.size)
        parts = []
        while self._position < end:
            real, stop = self._run_at(self._position, end)
            length = stop - self._position
            parts.append(self._source.read_at(self._position, length) if real else bytes(length))
            self._position = stop
        return b"".join(parts)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def _run_at(self, position: int, end: int) -> tuple[bool, int]:
        """Whether the bytes at `position` are real, and where that stops (at most `end`)."""
        for start, stop in self._revealed:
            if start <= position < stop:
                return True, min(stop, end)
        for start, stop in self._masked:
            if start <= position < stop:
                cut = min([stop, end] + [s for s, _ in self._revealed if position < s < stop])
                return False, cut
            if position < start:
                end = min(end, start)
                break
        cut = min([end] + [s for s, _ in self._revealed if position < s < end])
        return True, cut
