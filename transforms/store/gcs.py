"""What Cloud Storage does on the server that Beam's FileSystems cannot ask of it.

Copy (rewrite), compose and an object's generation: these save every byte a worker would
otherwise download and upload again. One google-cloud-storage client per process, made the
way Beam makes its own (same credentials; STORAGE_EMULATOR_HOST is honoured by the client).

Retries are the client's: its default policy (exponential backoff on 429, 5xx, resets and
timeouts) retries a write only when it carries a precondition, so every write here names the
generation it expects to replace (`if_generation_match`, 0 for "no object yet") and the source
generations it reads. A retry whose first attempt did succeed (the answer was lost) then meets
412 Precondition Failed: the object is checked to be the one asked for, and kept.
"""
from __future__ import annotations

import os
import threading
from typing import Callable, Optional, Sequence

from apache_beam.io.gcp.gcsio import parse_gcs_path
from google.api_core.exceptions import NotFound, PreconditionFailed
from google.cloud.storage.retry import DEFAULT_RETRY, DEFAULT_RETRY_IF_GENERATION_SPECIFIED

# The service composes at most 32 objects per call.
MAX_COMPOSE = 32

_lock = threading.Lock()
_client = None


def client():
    global _client
    with _lock:
        if _client is None:
            from apache_beam.io.gcp.gcsio import create_storage_client
            from apache_beam.options.pipeline_options import PipelineOptions
            _client = create_storage_client(PipelineOptions())
        return _client


def is_gcs(uri: str) -> bool:
    return uri.startswith("gs://")


def _blob(uri: str):
    bucket, name = parse_gcs_path(uri)
    return client().bucket(bucket).blob(name)


def identity(uri: str) -> str:
    """The object's generation and size: a new upload under the same name changes the generation."""
    bucket, name = parse_gcs_path(uri)
    blob = client().bucket(bucket).get_blob(name)
    if blob is None:
        raise FileNotFoundError(uri)
    return f"g{blob.generation}-{blob.size}"


def list_identities(prefix_uri: str, max_requests: Optional[int] = None) -> Optional[dict[str, str]]:
    """identity() of every object directly under a "folder" (not below), by gs:// URI: one listing,
    1,000 objects a request. `max_requests`: None (give up) when the folder needs more requests."""
    bucket, prefix = parse_gcs_path(prefix_uri.rstrip("/") + "/", object_optional=True)
    listing = client().list_blobs(bucket, prefix=prefix, delimiter="/")
    found = {}
    for page in listing.pages:
        found.update((f"gs://{bucket}/{blob.name}", f"g{blob.generation}-{blob.size}") for blob in page)
        if max_requests is not None and listing.page_number >= max_requests and listing.next_page_token:
            return None
    return found


def generation_of(identity: str) -> int:
    """The generation in an identity() string."""
    return int(identity[1:].split("-")[0])


def size_of(identity: str) -> int:
    """The size in an identity() string."""
    return int(identity.split("-")[1])


class SourceReplaced(Exception):
    """The object is no longer the generation that was probed: replaced or deleted since."""


def _replaced(uri: str, generation: int) -> SourceReplaced:
    return SourceReplaced(f"{uri} is no longer generation {generation}, the one probed: it was replaced "
                          "or deleted during the run; rerun to use what is there now")


def _check_live(uri: str, generation: int) -> None:
    bucket, name = parse_gcs_path(uri)
    live = client().bucket(bucket).get_blob(name)
    if live is None or live.generation != generation:
        raise _replaced(uri, generation)


def _current(bucket, name: str):
    """The object's metadata now (None when absent), read with the client's retry."""
    return bucket.get_blob(name, retry=DEFAULT_RETRY)


def _generation_now(bucket, name: str) -> int:
    found = _current(bucket, name)
    return int(found.generation) if found is not None else 0


def _written_or_raise(write: Callable[[], None], is_ours: Callable[[], bool]) -> None:
    """Run a conditional write; a 412 means an earlier attempt of it landed: keep that when it is
    what we asked for (`is_ours`), else raise (someone else wrote the object meanwhile)."""
    try:
        write()
    except PreconditionFailed:
        if not is_ours():
            raise


def copy(src_uri: str, dest_uri: str, generation: Optional[int] = None) -> None:
    """A server-side copy: large or cross-location objects take several rewrite calls.

    Every call is conditional (source and destination generations), so the client's retry
    policy retries it. With `generation`, that generation only: a replaced source raises
    SourceReplaced and never lands under a name made from its old identity.
    """
    src_bucket, src_name = parse_gcs_path(src_uri)
    dest_bucket, dest_name = parse_gcs_path(dest_uri)
    source = _current(client().bucket(src_bucket), src_name)
    if generation is not None and (source is None or int(source.generation) != generation):
        raise _replaced(src_uri, generation)
    if source is None:
        raise FileNotFoundError(src_uri)
    bucket = client().bucket(dest_bucket)
    expected = _generation_now(bucket, dest_name)
    dest = bucket.blob(dest_name)

    def rewrite() -> None:
        conditions = dict(if_generation_match=expected, if_source_generation_match=source.generation,
                          retry=DEFAULT_RETRY_IF_GENERATION_SPECIFIED)
        token, _, _ = dest.rewrite(source, **conditions)
        while token is not None:
            token, _, _ = dest.rewrite(source, token=token, **conditions)

    def is_copy() -> bool:
        now = _current(bucket, dest_name)
        return now is not None and now.size == source.size and now.crc32c == source.crc32c

    try:
        _written_or_raise(rewrite, is_copy)
    except (NotFound, PreconditionFailed):
        if generation is not None:
            _check_live(src_uri, generation)  # raises when the source is the one that moved
        raise


def download(uri: str, local_path: str, generation: int, size: int) -> None:
    """Stream one generation of an object to a local file; SourceReplaced when it is no longer there.

    The request names the generation and makes it a precondition; the bytes received are
    checked against the probed size as well (a server that serves the live object anyway,
    as the test emulator does, is caught when the replacement's size differs).
    """
    bucket, name = parse_gcs_path(uri)
    blob = client().bucket(bucket).blob(name, generation=generation)
    try:
        blob.download_to_filename(local_path, if_generation_match=generation)
    except (NotFound, PreconditionFailed) as err:
        raise _replaced(uri, generation) from err
    if blob.generation not in (None, generation) or os.path.getsize(local_path) != size:
        raise _replaced(uri, generation)


def _compose_one(bucket, target: str, parts: list[tuple[str, int, int]]) -> tuple[str, int, int]:
    """Compose `parts` ((name, generation, size), pinned to those generations) into `target`."""
    expected = _generation_now(bucket, target)
    blob = bucket.blob(target)
    blob.content_type = "application/octet-stream"
    size = sum(p[2] for p in parts)

    def compose() -> None:
        blob.compose([bucket.blob(name, generation=generation) for name, generation, _ in parts],
                     if_generation_match=expected, if_source_generation_match=[g for _, g, _ in parts],
                     retry=DEFAULT_RETRY_IF_GENERATION_SPECIFIED)

    def is_ours() -> bool:
        now = _current(bucket, target)
        return now is not None and int(now.generation) != expected and int(now.size) == size

    _written_or_raise(compose, is_ours)
    now = _current(bucket, target) if blob.generation is None else blob
    return target, int(now.generation), size


def compose_plan(count: int, max_per_call: int = MAX_COMPOSE) -> list[list[tuple[int, int]]]:
    """Levels of compose calls for `count` parts: each level lists [start, end) ranges of the level below.

    Pure, so the recursion is unit-tested without a server: 1000 parts -> 32 calls, then 1.
    """
    levels = []
    while count > max_per_call:
        level = [(i, min(i + max_per_call, count)) for i in range(0, count, max_per_call)]
        levels.append(level)
        count = len(level)
    levels.append([(0, count)])
    return levels


def compose(sources: Sequence[str], dest_uri: str) -> None:
    """Concatenate objects of one bucket into `dest_uri` on the server, 32 at a time, recursively.

    Intermediate objects have deterministic names under `dest_uri`.compose/, so a retried call
    overwrites rather than adds; they are deleted once the destination exists.
    """
    bucket_name, dest_name = parse_gcs_path(dest_uri)
    bucket = client().bucket(bucket_name)
    if not sources:
        expected = _generation_now(bucket, dest_name)
        empty = lambda: bucket.blob(dest_name).upload_from_string(  # noqa: E731
            b"", if_generation_match=expected, retry=DEFAULT_RETRY_IF_GENERATION_SPECIFIED)
        _written_or_raise(empty, lambda: getattr(_current(bucket, dest_name), "size", None) == 0)
        return
    parts = []
    for uri in sources:
        src_bucket, name = parse_gcs_path(uri)
        if src_bucket != bucket_name:
            raise ValueError(f"compose needs one bucket: {uri} is not in gs://{bucket_name}")
        found = _current(bucket, name)
        if found is None:
            raise FileNotFoundError(uri)
        parts.append((name, int(found.generation), int(found.size)))
    levels = compose_plan(len(parts))
    temporary = []
    for depth, level in enumerate(levels):
        last = depth == len(levels) - 1
        made = []
        for i, (start, end) in enumerate(level):
            target = dest_name if last else f"{dest_name}.compose/{depth}-{i:05d}"
            made.append(_compose_one(bucket, target, parts[start:end]))
        if not last:
            temporary.extend(made)
        parts = made
    for name, generation, _ in temporary:
        try:
            bucket.blob(name).delete(if_generation_match=generation, retry=DEFAULT_RETRY)
        except NotFound:  # an earlier attempt of this delete landed
            pass
