"""A rerun with nothing new, recognised before any work. Pure: no Beam, no I/O.

A run's output is a function of its inputs: the manifests' bytes, each source's identity
(size and mtime, or a gs:// generation: what the probe cache already keys on), every setting
that shapes the output, and the code (ours and the libraries that write bytes: PyAV, ffmpeg,
pyarrow). Their hash is the run's fingerprint. Once a dataset is published, a record of it
is written beside the dataset, last: the fingerprint and the version of every file the
dataset is made of (its dataset files and the clips it names: storage.versions). A later run
with the same fingerprint, finding every one of those files as recorded, would write the same bytes again:
it keeps the dataset and runs nothing. Any difference (a row, a source, a flag, a file
rewritten or gone, a record cut short by a kill) means a full run.

The record also keeps the manifests' hashes and the sources their rows name: a rerun whose
manifests hash the same takes its sources from there instead of parsing every row again (the
rows are a function of the bytes, the settings and the code, all in the fingerprint).
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from typing import Any, Mapping, Optional

# Beside the published dataset (OUTPUT/ or OUTPUT/runs/RUN_ID/). Not a dataset file: a reader ignores it.
RECORD = "_fingerprint.json"
# Part of every fingerprint: change what goes into one and no old record matches.
VERSION = "fingerprint-v1"


def _plain(value: Any) -> Any:
    """A JSON value for anything a setting can hold, the same in every process (sets sorted)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"a run setting of type {type(value).__name__} has no stable form: {value!r}")


@dataclasses.dataclass(frozen=True)
class Fingerprint:
    """A run's fingerprint and what it was made of that a later run can reuse."""

    value: str
    manifests: tuple[tuple[str, str], ...]  # (path, sha256 of its bytes)
    sources: tuple[str, ...]                # the sources the rows name, sorted


def fingerprint(manifests: Mapping[str, str], sources: Mapping[str, str], settings: Any, code: str) -> str:
    """The hash of a run's inputs. `manifests`: path -> sha256 of its bytes; `sources`: uri ->
    identity ("missing" for none); `settings`: everything that shapes the output; `code`: its hash."""
    body = {"version": VERSION, "manifests": dict(manifests), "sources": dict(sources),
            "settings": _plain(settings), "code": code}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def record_bytes(run: Fingerprint, files: Mapping[str, str]) -> bytes:
    """The record written beside a published dataset: its fingerprint, its manifests and sources, and
    its files' versions (uri -> storage.versions' string)."""
    return json.dumps({"version": VERSION, "fingerprint": run.value, "manifests": dict(run.manifests),
                       "sources": list(run.sources), "files": dict(sorted(files.items()))},
                      indent=1, sort_keys=True).encode("utf-8") + b"\n"


def recorded_sources(record: Optional[bytes], manifests: Mapping[str, str]) -> Optional[list[str]]:
    """The sources a record names when it was made from these very manifests (path -> sha256); else None."""
    parsed = _parse(record)
    if not parsed or parsed.get("manifests") != dict(manifests) or not isinstance(parsed.get("sources"), list):
        return None
    return list(parsed["sources"])


def recorded_files(record: Optional[bytes]) -> dict[str, str]:
    """The files a record names (none for a missing or unreadable record)."""
    parsed = _parse(record)
    return dict(parsed["files"]) if parsed else {}


def _parse(record: Optional[bytes]) -> Optional[dict]:
    if not record:
        return None
    try:
        parsed = json.loads(record)
    except ValueError:
        return None
    if not isinstance(parsed, dict) or parsed.get("version") != VERSION or not isinstance(parsed.get("files"), dict):
        return None
    return parsed


def why_not_kept(record: Optional[bytes], fingerprint_: Optional[str], current: Mapping[str, str]) -> Optional[str]:
    """None when the published dataset is what this run would write; otherwise why a full run is needed.

    `current`: the version now of each file the record names (a missing file: absent).
    """
    if fingerprint_ is None:
        return "some source has no stable identity (an http(s) URL is read anew every run)"
    parsed = _parse(record)
    if parsed is None:
        return "no record of a published dataset" if not record else "the record is unreadable"
    if parsed["fingerprint"] != fingerprint_:
        return "the manifests, a source, a setting or the code changed since the published dataset"
    if not parsed["files"]:
        return "the record names no file"
    for uri, version in sorted(parsed["files"].items()):
        if current.get(uri) != version:
            return f"{uri} is {'gone' if uri not in current else 'rewritten'} since the dataset was published"
    return None
