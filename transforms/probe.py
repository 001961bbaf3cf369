"""ProbeVideos: probe every source once, out of process, however many rows use it."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Iterable, Optional, Union

import apache_beam as beam

from transforms import storage
from transforms.types import Drop, DropReason, ManifestRow, SourceRecord, Stage, VideoInfo
from transforms.video_info import video_info

DROPS = "drops"
SOURCES = "sources"

# The child limits its own address space: a preexec_fn would run Python between fork and exec,
# which is unsafe in a process with gRPC threads (Beam's), and crashed the child here.
_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3
# Part of every probe cache entry's name: change what the probe reports and entries are redone.
PROBE_VERSION = "probe-v1"


def probe_cache_name(uri: str, identity: str) -> str:
    """The cache entry of one version of one source: a new upload or edit gets a new entry."""
    return hashlib.sha1(f"{uri}|{identity}|{PROBE_VERSION}".encode("utf-8")).hexdigest() + ".json"


class ProbeError(Exception):
    def __init__(self, reason: DropReason, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def probe_local_file(path: str, timeout_seconds: float) -> dict:
    """Run the PyAV probe in a child process; raise ProbeError for anything but a good video."""
    if not os.path.exists(path):
        raise ProbeError(DropReason.SOURCE_NOT_FOUND, f"no such file: {path}")
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "transforms.probe_media", path, str(_MEMORY_LIMIT_BYTES)],
            capture_output=True, timeout=timeout_seconds, check=False)
    except subprocess.TimeoutExpired:
        raise ProbeError(DropReason.PROBE_TIMEOUT,
                         f"probing took longer than {timeout_seconds:.0f}s; the file may be hostile or "
                         "corrupt, or raise --probe_timeout") from None
    if completed.returncode != 0:
        tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise ProbeError(DropReason.UNREADABLE_MEDIA,
                         f"the probe process failed (exit {completed.returncode}) {tail[0]}".strip())
    raw = json.loads(completed.stdout)
    if raw.get("error") == "no_video_stream":
        raise ProbeError(DropReason.NO_VIDEO_STREAM, "the file has no video stream (audio-only or data)")
    if raw.get("error"):
        raise ProbeError(DropReason.UNREADABLE_MEDIA, f"{raw.get('detail')}; re-export or replace the file")
    return raw


class _ProbeFn(beam.DoFn):
    def __init__(self, timeout_seconds: float, cache_dir: Optional[str] = None):
        self._timeout = timeout_seconds
        self._cache_dir = cache_dir
        self._scratch = ""

    def setup(self):
        self._scratch = tempfile.mkdtemp(prefix="probe-")

    def teardown(self):
        shutil.rmtree(self._scratch, ignore_errors=True)

    def process(self, element: tuple[str, Iterable[ManifestRow]]):
        uri, rows = element
        rows = list(rows)
        local = None
        reused = False
        try:
            if not storage.exists(uri):
                raise ProbeError(DropReason.SOURCE_NOT_FOUND, f"no such file: {uri}")
            identity = storage.identity(uri)
            cache_uri = (storage.join(self._cache_dir, probe_cache_name(uri, identity))
                         if self._cache_dir else None)
            if cache_uri and storage.exists(cache_uri):
                # A source probed before, unchanged since: a rerun does not read it again.
                raw, reused = json.loads(storage.read_bytes(cache_uri)), True
            else:
                local = storage.localize(uri, self._scratch)
                raw = probe_local_file(local, self._timeout)
                if cache_uri:
                    storage.write_bytes(cache_uri, json.dumps(raw, sort_keys=True).encode("utf-8"))
            info = video_info(raw, uri, identity)
        except ProbeError as err:
            # The scratch copy's random name would make drops.jsonl differ from run to run.
            detail = err.detail.replace(local, uri) if local else err.detail
            for row in rows:
                yield beam.pvalue.TaggedOutput(DROPS, Drop(
                    row_id=row.row_id, source_uri=uri, stage=Stage.PROBE, reason=err.reason,
                    detail=detail, location=row.location))
            return
        finally:
            if local and local != uri:
                os.remove(local)
        yield beam.pvalue.TaggedOutput(SOURCES, SourceRecord(uri=uri, seconds=info.duration,
                                                             bytes=info.size_bytes, probe_reused=reused))
        yield info, rows


class ProbeVideos(beam.PTransform):
    """(source uri, rows) -> (VideoInfo, rows); tagged `drops` and `sources` (for the statistics)."""

    def __init__(self, timeout_seconds: float = 120.0, cache_dir: Optional[str] = None):
        super().__init__()
        self._timeout = timeout_seconds
        self._cache_dir = cache_dir  # where probe results are kept for reruns (None: not kept)

    def expand(self, grouped):
        return grouped | "Probe" >> beam.ParDo(_ProbeFn(self._timeout, self._cache_dir)).with_outputs(
            DROPS, SOURCES, main="videos")
