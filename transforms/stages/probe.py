"""ProbeVideos: probe every source once, out of process, however many rows use it."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from typing import Iterable, Optional

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from transforms.core import uris
from transforms.store import fetch
from transforms.store import gcs
from transforms.store import scratch as scratch_dirs
from transforms.store import storage
from transforms.media import sandbox
from transforms.media.media_bytes import TRANSIENT_EXIT
from transforms.media.probe_child import ChildDied, ChildTimedOut, ProbeChild
from transforms.media.sandbox import describe_exit
from transforms.core.errors import DropError
from transforms.core.types import Drop, DropReason, ManifestRow, SourceRecord, Stage
from transforms.media.video_info import video_info

DROPS = "drops"
SOURCES = "sources"

# The child limits its own address space: a preexec_fn would run Python between fork and exec,
# which is unsafe in a process with gRPC threads (Beam's), and crashed the child here.
_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3
# Part of every probe cache entry's name: change what the probe reports and entries are redone.
PROBE_VERSION = "probe-v4"  # v3: picture format, audio track choice, other streams; v4: timelines


def probe_cache_name(uri: str, identity: str) -> str:
    """The cache entry of one version of one source: a new upload or edit gets a new entry."""
    return hashlib.sha1(f"{uri}|{identity}|{PROBE_VERSION}".encode("utf-8")).hexdigest() + ".json"

# The probe reads every packet header: its time grows with the file. Beyond --probe_timeout,
# one more second per this many bytes (a local disk demuxes several times faster).
_PROBE_BYTES_PER_SECOND = 25_000_000
# What the probe child reports that is a drop code of its own (the rest is unreadable media).
_CHILD_CODES = {r.value: r for r in (
    DropReason.HOSTILE_MEDIA, DropReason.UNSUPPORTED_FORMAT,
    DropReason.UNSUPPORTED_CODEC, DropReason.BAD_FRAME_SIZE, DropReason.IMPLAUSIBLE_DURATION,
    DropReason.TOO_MANY_STREAMS)}


class ProbeError(DropError):
    """A source that could not be probed: every row that uses it is dropped."""


def probe_media_file(uri: str, timeout_seconds: float, size_bytes: Optional[int] = None,
                     generation: Optional[int] = None, frame_times: bool = False,
                     child: Optional[ProbeChild] = None) -> dict:
    """Run the PyAV probe in a child process; raise ProbeError for anything but a good video.

    `uri` is a local path, or a gs:// object (`generation` of it) that the child reads by ranges.
    `frame_times`: record every frame's presentation time too (rows that count in frames).
    `child`: a long-lived probe child to ask (a worker's); None: a child for this file alone.
    """
    if storage.is_local(uri):
        if not os.path.exists(uri):
            raise ProbeError(DropReason.SOURCE_NOT_FOUND, f"no such file: {uri}")
        size_bytes = os.path.getsize(uri)
        uri = os.path.abspath(uri)  # never a relative name FFmpeg could read as `concat:` or another protocol
    timeout_seconds = probe_timeout_for(timeout_seconds, size_bytes or 0)
    request = {"uri": uri, "frame_times": frame_times}
    if generation is not None:  # the object as identified: the child reads it with no metadata request
        request.update(generation=generation, size=size_bytes)
    own = child is None
    child = child or ProbeChild(_MEMORY_LIMIT_BYTES)
    try:
        raw = child.ask(request, timeout_seconds)
    except ChildTimedOut:
        raise ProbeError(DropReason.PROBE_TIMEOUT,
                         f"probing took longer than {timeout_seconds:.0f}s; the file may be hostile or "
                         "corrupt, or raise --probe_timeout") from None
    except ChildDied as died:
        if died.returncode == TRANSIENT_EXIT:  # the store failed, not the file: let the worker retry
            raise OSError(f"probing {uri}: " + died.stderr.strip()[-300:]) from None
        reason, detail = classify_child_failure(died.returncode, died.stderr)
        raise ProbeError(reason, detail) from None
    finally:
        if own:
            child.close()
    if raw.get("error") == "no_video_stream":
        raise ProbeError(DropReason.NO_VIDEO_STREAM, "the file has no video stream (audio-only or data)")
    if raw.get("error") in _CHILD_CODES:
        raise ProbeError(_CHILD_CODES[raw["error"]], raw.get("detail", ""))
    if raw.get("error"):
        raise ProbeError(DropReason.UNREADABLE_MEDIA, f"{raw.get('detail')}; re-export or replace the file")
    return raw


def probe_timeout_for(base_seconds: float, size_bytes: int) -> float:
    """The wall-clock budget of one probe: the base, plus time for the packets a larger file holds."""
    return base_seconds + size_bytes / _PROBE_BYTES_PER_SECOND


def classify_child_failure(returncode: int, stderr: str) -> tuple[DropReason, str]:
    """Why a probe child died: a signal or its memory cap is a crash; anything else unreadable media."""
    tail = sandbox.error_tail(stderr, lines=1)[:300]
    if returncode < 0:
        return DropReason.PROBE_CRASHED, f"the probe process was {describe_exit(returncode)} while reading the file"
    if "MemoryError" in stderr or "Cannot allocate memory" in stderr:
        return DropReason.PROBE_CRASHED, (f"the probe ran out of its {_MEMORY_LIMIT_BYTES >> 30} GiB memory cap "
                                          f"reading the file: {tail}")
    return DropReason.UNREADABLE_MEDIA, f"the probe process failed (exit {returncode}) {tail}".strip()


def storage_reads(uri: str) -> bool:
    """Whether Beam's FileSystems has a reader for the URI's scheme (gs://, and any installed)."""
    try:
        FileSystems.get_filesystem(uri)
    except (ValueError, IOError, ImportError):  # an unknown scheme, or its extra not installed
        return False
    return True


class _ProbeFn(beam.DoFn):
    def __init__(self, timeout_seconds: float, cache_dir: Optional[str] = None,
                 fetch_policy: fetch.FetchPolicy = fetch.DEFAULT_POLICY):
        self._timeout = timeout_seconds
        self._cache_dir = cache_dir
        self._fetch_policy = fetch_policy
        self._scratch = ""
        self._child: Optional[ProbeChild] = None

    def setup(self):
        self._scratch = scratch_dirs.make_scratch("probe-")  # and sweeps dead workers'
        # One child answers this worker's probes: starting one per source was most of the stage's time.
        self._child = ProbeChild(_MEMORY_LIMIT_BYTES)

    def teardown(self):
        if self._child is not None:
            self._child.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def process(self, element: tuple[str, Iterable[ManifestRow]]):
        uri, rows = element
        rows = list(rows)
        local = None
        reused = False
        try:
            remote = uris.is_remote(uri)
            if not remote and not storage.is_local(uri) and not storage_reads(uri):
                raise ProbeError(DropReason.UNSUPPORTED_URI,
                                 f"nothing here reads {uri.split('://')[0]}:// URIs; use a local path, gs:// or https://")
            if not remote and not storage.exists(uri):
                raise ProbeError(DropReason.SOURCE_NOT_FOUND, f"no such file: {uri}")
            # A URL has no reliable version before it is read: it is fetched every time and
            # named by its content, so only files and objects use the probe cache.
            identity = None if remote else storage.identity(uri)
            cache_uri = (storage.join(self._cache_dir, probe_cache_name(uri, identity))
                         if self._cache_dir and identity else None)
            # Rows in frame numbers need every frame's time: kept only for the sources they use.
            frame_times = any(row.uses_frames for row in rows)
            cached = json.loads(storage.read_bytes(cache_uri)) if cache_uri and storage.exists(cache_uri) else None
            if cached is not None and (not frame_times or "frame_times" in cached):
                # A source probed before, unchanged since: a rerun does not read it again.
                raw, reused = cached, True
            else:
                if gcs.is_gcs(uri):  # read in place, by ranges: an MP4 costs its header
                    raw = probe_media_file(uri, self._timeout, size_bytes=gcs.size_of(identity),
                                           generation=gcs.generation_of(identity), frame_times=frame_times,
                                           child=self._child)
                else:  # a URL is fetched (with fetch.py's address checks), another scheme copied
                    local = storage.localize(uri, self._scratch, self._fetch_policy)
                    raw = probe_media_file(local, self._timeout, frame_times=frame_times, child=self._child)
                    if local != uri:  # the whole copy was read
                        raw["bytes_read"] = raw["size_bytes"]
                identity = identity or fetch.content_identity(local)
                if cache_uri:
                    storage.write_bytes(cache_uri, json.dumps(raw, sort_keys=True).encode("utf-8"))
            info = video_info(raw, uri, identity)
        except DropError as err:
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
        yield beam.pvalue.TaggedOutput(SOURCES, SourceRecord(
            uri=uri, seconds=info.duration, bytes=info.size_bytes, probe_reused=reused,
            probe_bytes_read=0 if reused else int(raw.get("bytes_read", info.size_bytes))))
        yield info, rows


@dataclasses.dataclass
class ProbeVideos(beam.PTransform):
    """(source uri, rows) -> (VideoInfo, rows); tagged `drops` and `sources` (for the statistics)."""

    timeout_seconds: float = 120.0
    cache_dir: Optional[str] = None  # where probe results are kept for reruns (None: not kept)
    # How URLs are fetched: passed in, never read from the environment (see store/fetch.py).
    fetch_policy: fetch.FetchPolicy = fetch.DEFAULT_POLICY

    def expand(self, grouped):
        fn = _ProbeFn(self.timeout_seconds, self.cache_dir, self.fetch_policy)
        return grouped | "Probe" >> beam.ParDo(fn).with_outputs(
            DROPS, SOURCES, main="videos")
