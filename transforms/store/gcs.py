"""What Cloud Storage does on the server that Beam's FileSystems cannot ask of it.

Copy (rewrite), compose and an object's generation: these save every byte a worker would
otherwise download and upload again. One google-cloud-storage client per process, made the
way Beam makes its own (same credentials; STORAGE_EMULATOR_HOST is honoured by the client).
"""
from __future__ import annotations

import os
import threading
from typing import Optional, Sequence

from apache_beam.io.gcp.gcsio import parse_gcs_path

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


def copy(src_uri: str, dest_uri: str, generation: Optional[int] = None) -> None:
    """A server-side copy: large or cross-location objects take several rewrite calls.

    With `generation`, that generation only: the rewrite names it and makes it a precondition
    (the service refuses with 404/412 once the object is replaced), checked first too, so a
    replaced source raises SourceReplaced and never lands under a name made from its old identity.
    """
    from google.api_core.exceptions import NotFound, PreconditionFailed
    bucket, name = parse_gcs_path(src_uri)
    src, dest = client().bucket(bucket).blob(name, generation=generation), _blob(dest_uri)
    if generation is not None:
        _check_live(src_uri, generation)
    try:
        token, _, _ = dest.rewrite(src, if_source_generation_match=generation)
        while token is not None:
            token, _, _ = dest.rewrite(src, token=token, if_source_generation_match=generation)
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
    from google.api_core.exceptions import NotFound, PreconditionFailed
    bucket, name = parse_gcs_path(uri)
    blob = client().bucket(bucket).blob(name, generation=generation)
    try:
        blob.download_to_filename(local_path, if_generation_match=generation)
    except (NotFound, PreconditionFailed) as err:
        raise _replaced(uri, generation) from err
    if blob.generation not in (None, generation) or os.path.getsize(local_path) != size:
        raise _replaced(uri, generation)


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
        bucket.blob(dest_name).upload_from_string(b"")
        return
    names = []
    for uri in sources:
        src_bucket, name = parse_gcs_path(uri)
        if src_bucket != bucket_name:
            raise ValueError(f"compose needs one bucket: {uri} is not in gs://{bucket_name}")
        names.append(name)
    levels = compose_plan(len(names))
    temporary = []
    for depth, level in enumerate(levels):
        last = depth == len(levels) - 1
        made = []
        for i, (start, end) in enumerate(level):
            target = dest_name if last else f"{dest_name}.compose/{depth}-{i:05d}"
            blob = bucket.blob(target)
            blob.content_type = "application/octet-stream"
            blob.compose([bucket.blob(n) for n in names[start:end]])
            made.append(target)
        if not last:
            temporary.extend(made)
        names = made
    for name in temporary:
        bucket.blob(name).delete()
