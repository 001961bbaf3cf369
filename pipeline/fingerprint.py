"""The launcher's half of the rerun shortcut: the run's fingerprint, and whether the published
dataset already is what the run would write (the rules: transforms/core/run_fingerprint.py).

Costs one read of the manifests (hashed; their rows parsed only when no record of the same
manifests names their sources), one identity look-up per source (a stat, or a metadata request
on gs://, 16 at a time) and one listing per folder of the published dataset: seconds, where a
run of 100,000 rows costs many minutes.
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import importlib.metadata
import os
import posixpath
import sys
from collections import defaultdict
from typing import Iterable, Mapping, Optional

import pipeline as _pipeline_package
import transforms as _transforms_package
from transforms.core import run_fingerprint as R
from transforms.core.types import ManifestRow
from transforms.core.uris import is_remote
from transforms.media.ffmpeg_commands import ffmpeg_binary
from transforms.stages.read_manifest import parse_manifest
from transforms.store import gcs
from transforms.store import storage

# The libraries whose versions shape output bytes: the probe (PyAV), the clips (imageio-ffmpeg's
# ffmpeg), the index (pyarrow), the runner, the rows' parsing.
_LIBRARIES = ("apache-beam", "av", "imageio-ffmpeg", "pyarrow", "pydantic")
_MISSING = "missing"
# Identity look-ups run this many at a time. A gs:// folder holding many of the run's sources is
# listed instead (1,000 objects a request), unless the listing would take more requests than the
# look-ups would take rounds: a million sources in one folder cost 1,000 requests, not a million
# (about 30 minutes of the launcher's time before a Dataflow job could start).
_LOOKUPS_AT_ONCE = 16


def code_hash() -> str:
    """A hash of this program: every Python file of our packages, and the versions of the libraries
    that write bytes. Any change of code means a full run (old records cannot know what it changed)."""
    digest = hashlib.sha256()
    for package in (_pipeline_package, _transforms_package):
        root = os.path.dirname(os.path.abspath(package.__file__))
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(n for n in names if n.endswith(".py")):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, os.path.dirname(root)).encode("utf-8") + b"\0")
                with open(path, "rb") as handle:
                    digest.update(handle.read() + b"\0")
    for library in _LIBRARIES:
        try:
            version = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            version = "none"
        digest.update(f"{library}=={version}\0".encode("utf-8"))
    digest.update(f"{os.path.basename(ffmpeg_binary())}\0python{sys.version_info[:2]}".encode("utf-8"))
    return digest.hexdigest()


def _identity(uri: str) -> str:
    try:
        return storage.identity(uri)
    except FileNotFoundError:
        return _MISSING  # the probe drops its rows: a source that appears later changes the fingerprint


def source_identities(uris: Iterable[str]) -> Optional[dict[str, str]]:
    """uri -> identity (as the probe cache keys on it); None when one has none (an http(s) URL, an
    unknown scheme) or the store could not say: then no shortcut, the run decides."""
    uris = sorted(set(uris))
    if any(is_remote(uri) for uri in uris):
        return None
    try:
        found = _listed_identities(uris)
        rest = [uri for uri in uris if uri not in found]
        with concurrent.futures.ThreadPoolExecutor(_LOOKUPS_AT_ONCE) as pool:
            found.update(zip(rest, pool.map(_identity, rest)))
        return {uri: found[uri] for uri in uris}
    except Exception:  # an unknown scheme, a store error: not ours to decide here
        return None


def _listed_identities(uris: list[str]) -> dict[str, str]:
    """The identities of the gs:// sources that a listing of their folder names. One it does not name
    (gone, or a name like `a//b` that no folder listing spells) is asked about on its own."""
    folders = defaultdict(list)
    for uri in uris:
        if gcs.is_gcs(uri):
            folders[posixpath.dirname(uri)].append(uri)
    found = {}
    for folder, members in sorted(folders.items()):
        rounds = len(members) // _LOOKUPS_AT_ONCE
        listed = gcs.list_identities(folder, max_requests=rounds) if rounds else None
        if listed is not None:
            found.update((uri, listed[uri]) for uri in members if uri in listed)
    return found


def _settings(config, runner: Mapping) -> dict:
    return {"config": config, "runner": dict(runner)}


def _sources(manifest_data: Mapping[str, bytes], config) -> list[str]:
    """The sources the manifests' rows name, read as ReadManifest reads them."""
    found = set()
    for path, data in manifest_data.items():
        for r in parse_manifest(path, data, config.prompt, config.repair_timeline, config.system_instruction):
            if isinstance(r, ManifestRow):  # a row of several videos (`video_uris`) names each of them
                found.update([r.video_uri, *(uri for uri, _ in r.videos)])
    return sorted(found)


def _make(manifests: Mapping[str, str], sources: list[str], settings: dict, code: str) -> Optional[R.Fingerprint]:
    identities = source_identities(sources)
    if identities is None:
        return None
    return R.Fingerprint(R.fingerprint(manifests, identities, settings, code), tuple(sorted(manifests.items())),
                         tuple(sources))


def record_uri(dataset_dir: str) -> str:
    return storage.join(dataset_dir, R.RECORD)


def check(manifest_paths: Iterable[str], config, runner: Mapping,
          dataset_dir: str) -> tuple[Optional[R.Fingerprint], Optional[str]]:
    """(this run's fingerprint, why the dataset published in `dataset_dir` is not what the run would
    write: None when it is). `config`: the RunConfig; `runner`: the runner settings that shape clip
    bytes. A fingerprint of None: the run has none (an http(s) source), so no shortcut and no record."""
    data = {path: storage.read_bytes(path) for path in sorted(manifest_paths)}
    manifests = {path: hashlib.sha256(raw).hexdigest() for path, raw in data.items()}
    settings, code = _settings(config, runner), code_hash()
    uri = record_uri(dataset_dir)
    record = storage.read_bytes(uri) if storage.exists(uri) else None
    files = R.recorded_files(record)
    current = storage.versions_of(files) if files else {}
    sources = R.recorded_sources(record, manifests)
    if sources is not None:  # the same manifests: their rows name the same sources (if the rest matches)
        run = _make(manifests, sources, settings, code)
        if run is not None and R.why_not_kept(record, run.value, current) is None:
            return run, None
    run = _make(manifests, _sources(data, config), settings, code)
    return run, R.why_not_kept(record, run.value if run else None, current)
