"""Reading and writing files wherever they live (a local folder or gs://), retry-safely.

Everything goes through Beam's FileSystems, so a URI scheme Beam knows works here. Writes
are atomic where the store allows it (a locked temporary name and a rename on local disks, see
local_files.py; a GCS object appears whole or not at all), so a retried bundle or a killed
worker never leaves half a file under a final name.
"""
from __future__ import annotations

import os
import posixpath
import shutil
import uuid
from typing import Iterable

from apache_beam.io.filesystems import FileSystems

from transforms.core import uris
from transforms.core.uris import is_local  # noqa: F401  (storage.is_local: the one rule)
from transforms.store import fetch
from transforms.store import gcs
from transforms.store import local_files
from transforms.store import scratch as scratch_dirs

_CHUNK = 8 * 1024 * 1024


def join(base: str, *parts: str) -> str:
    if is_local(base):
        return os.path.join(base, *parts)
    return posixpath.join(base, *parts)


def exists(uri: str) -> bool:
    return FileSystems.exists(uri)


def _metadata(uri: str):
    found = FileSystems.match([uri])[0].metadata_list
    if not found:
        raise FileNotFoundError(uri)
    return found[0]


def size(uri: str) -> int:
    if is_local(uri):
        return os.path.getsize(uri)
    return _metadata(uri).size_in_bytes


def read_bytes(uri: str) -> bytes:
    with FileSystems.open(uri, compression_type="uncompressed") as handle:
        return handle.read()


def identity(uri: str) -> str:
    """What changes when the file changes: size and modification time (GCS: generation and size).

    Names every output made from the file, so an edited source never reuses a stale clip.
    """
    if is_local(uri):
        stat = os.stat(uri)
        return f"{stat.st_size}-{stat.st_mtime_ns}"
    if gcs.is_gcs(uri):
        return gcs.identity(uri)
    meta = _metadata(uri)
    return f"{meta.size_in_bytes}-{meta.last_updated_in_seconds}"


def write_bytes(uri: str, data: bytes) -> None:
    """Write a whole file atomically."""
    if is_local(uri):
        local_files.write_file(uri, data)
        return
    with FileSystems.create(uri, mime_type="application/octet-stream") as handle:
        handle.write(data)


def publish_file(local_path: str, uri: str, mime_type: str = "application/octet-stream") -> None:
    """Move a finished local file to its final place; a rename when both are on one disk."""
    if is_local(uri):
        local_files.move_into(local_path, uri)
        return
    with open(local_path, "rb") as src, FileSystems.create(uri, mime_type=mime_type) as dst:
        shutil.copyfileobj(src, dst, _CHUNK)


def copy_file(src_uri: str, dest_uri: str, fetch_policy: fetch.FetchPolicy = fetch.DEFAULT_POLICY,
              identity: str = "") -> None:
    """Copy a whole file; never through memory. An http(s) source is fetched under `fetch_policy`.
    `identity` (a gs:// source's, from identity()): copy that generation only, or raise gcs.SourceReplaced."""
    if uris.is_remote(src_uri):  # http(s): Beam cannot read it; fetched with the address checks
        scratch = scratch_dirs.make_scratch("fetch-")
        try:
            publish_file(fetch.fetch_to_dir(src_uri, scratch, fetch_policy), dest_uri)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return
    if is_local(src_uri) and is_local(dest_uri):
        local_files.copy_into(src_uri, dest_uri)
        return
    if gcs.is_gcs(src_uri) and gcs.is_gcs(dest_uri):
        gcs.copy(src_uri, dest_uri, gcs.generation_of(identity) if identity else None)  # on the server
        return
    with FileSystems.open(src_uri, compression_type="uncompressed") as src, \
            FileSystems.create(dest_uri) as dst:
        shutil.copyfileobj(src, dst, _CHUNK)


def localize(uri: str, scratch_dir: str, fetch_policy: fetch.FetchPolicy = fetch.DEFAULT_POLICY,
             identity: str = "") -> str:
    """A local path for `uri`: the file itself when local, else a streamed copy in scratch.

    An http(s) source is fetched under `fetch_policy`. `identity` (a gs:// source's, from
    identity()): download that generation only, or raise gcs.SourceReplaced.
    """
    if is_local(uri):
        return uri
    if uris.is_remote(uri):  # http(s): fetched with the address checks of transforms/store/fetch.py
        return fetch.fetch_to_dir(uri, scratch_dir, fetch_policy)
    local = os.path.join(scratch_dir, uuid.uuid4().hex + posixpath.splitext(uri)[1])
    try:
        if gcs.is_gcs(uri) and identity:
            gcs.download(uri, local, gcs.generation_of(identity), gcs.size_of(identity))
            return local
        with FileSystems.open(uri, compression_type="uncompressed") as src, open(local, "wb") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
    except BaseException:
        if os.path.exists(local):  # a half download must not fill the scratch disk
            os.remove(local)
        raise
    return local


def concat(sources: Iterable[str], dest_uri: str) -> None:
    """Concatenate files in the given order into one, atomically."""
    sources = list(sources)
    if is_local(dest_uri):
        with local_files.atomic_writer(dest_uri) as dst:
            for source in sources:
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, dst, _CHUNK)
        return
    if gcs.is_gcs(dest_uri) and all(gcs.is_gcs(s) for s in sources):
        gcs.compose(sources, dest_uri)  # on the server, 32 objects per call
        return
    with FileSystems.create(dest_uri) as dst:
        for source in sources:
            with FileSystems.open(source, compression_type="uncompressed") as src:
                shutil.copyfileobj(src, dst, _CHUNK)


def delete_tree(uri: str) -> None:
    """Remove a folder (local) or every object under a prefix; missing is fine."""
    if is_local(uri):
        shutil.rmtree(uri, ignore_errors=True)
        return
    matches = FileSystems.match([uri.rstrip("/") + "/**"])[0].metadata_list
    if matches:
        FileSystems.delete([m.path for m in matches])


def list_files(uri: str) -> list[str]:
    """Every file under a folder (local) or prefix (gs://), as paths relative to it, sorted."""
    if is_local(uri):
        found = []
        for root, _, names in os.walk(uri):
            found += [os.path.relpath(os.path.join(root, n), uri) for n in names]
        return sorted(found)
    base = uri.rstrip("/") + "/"
    matches = FileSystems.match([base + "**"])[0].metadata_list
    return sorted(m.path[len(base):] for m in matches)


def delete_file(uri: str) -> None:
    if exists(uri):
        FileSystems.delete([uri])
