"""CutClips: make every planned clip with ffmpeg, measure what was written, publish it.

A clip's media object is named by its recipe, and its measurements are written beside it
(`media/_meta/NAME.json`) after it: a clip whose measurements exist is reused, not remade,
so a retried bundle or a rerun costs nothing and changes nothing.

The clips of a remote source (gs://, http(s)) are cut together, from one download of it into
the worker's scratch disk, removed when they are done; a local source's clips are cut apart,
on as many workers as there are clips.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from typing import Iterable, Optional

import apache_beam as beam

from transforms.store import fetch
from transforms.media import sandbox
from transforms.store import storage
from transforms.media import video_info as V
from transforms.media.ffmpeg_commands import stream_copy_command, transcode_command
from transforms.core.lanes import assign_lanes, clip_cost
from transforms.gemini.limits import OUTPUT_MIME, Limits
from transforms.core.planner import transcode_settings
from transforms.media.probe_media import measure_written
from transforms.core import cut_policy as P
from transforms.core.cut_policy import ClipError, Measured
from transforms.core.errors import DropError
from transforms.core.types import Action, ClipSpec, CutClip, Drop, DropReason, Stage, VideoInfo

DROPS = "drops"


def measure(path: str) -> Measured:
    """What a clip we wrote really is: its sample table, read in this process (see measure_written)."""
    try:
        found = measure_written(path)
    except ValueError as err:
        raise ClipError(DropReason.CUT_FAILED, f"the written clip does not probe: {err}") from None
    return Measured(duration=float(found["duration"]), bytes=int(found["size_bytes"]))


class _SourceFile:
    """A group's source as a local file: a local source as it is; a remote one downloaded into the
    group's scratch when the first clip needs it, and shared by the group's other clips."""

    def __init__(self, source: VideoInfo, scratch: str, fetch_policy: fetch.FetchPolicy = fetch.DEFAULT_POLICY):
        self._source = source
        self._scratch = scratch
        self._fetch_policy = fetch_policy
        self._path: Optional[str] = None
        self._failure: Optional[Exception] = None
        self._unclaimed = 0

    def path(self) -> str:
        """Raises the download's ClipError/FetchError again for every clip that needs it: each is dropped."""
        if self._failure is not None:
            raise self._failure
        if self._path is None:
            if storage.is_local(self._source.uri):
                self._path = self._source.uri
                return self._path
            try:
                self._path = _download(self._source, self._scratch, self._fetch_policy)
            except DropError as err:
                self._failure = err
                raise
            self._unclaimed = os.path.getsize(self._path)
        return self._path

    def claim_downloaded_bytes(self) -> int:
        """The download's size the first time, 0 after: the statistics count each download once."""
        claimed, self._unclaimed = self._unclaimed, 0
        return claimed


class _CutFn(beam.DoFn):
    def __init__(self, media_dir: str, limits: Limits, timeout_per_second: float, threads: int = 0,
                 fetch_policy: fetch.FetchPolicy = fetch.DEFAULT_POLICY):
        self._threads = threads
        self._fetch_policy = fetch_policy
        self._media_dir = media_dir
        self._limits = limits
        self._timeout_per_second = timeout_per_second
        self._scratch = ""

    def setup(self):
        self._scratch = tempfile.mkdtemp(prefix="cut-")

    def teardown(self):
        shutil.rmtree(self._scratch, ignore_errors=True)

    def process(self, element: tuple[object, Iterable[tuple[str, Iterable[ClipSpec]]]]):
        """(lane or batch key, batches): every batch's clips, one batch after another."""
        _, batches = element
        for _, specs in sorted(batches, key=lambda batch: batch[0]):
            yield from self._cut_batch(specs)

    def _cut_batch(self, specs: Iterable[ClipSpec]):
        ordered = sorted(specs, key=P.clip_order)
        scratch = tempfile.mkdtemp(dir=self._scratch)
        try:
            source = _SourceFile(ordered[0].source, scratch, self._fetch_policy)  # batch_key: one source per group
            for spec in ordered:
                yield self._cut(spec, source, scratch)
        finally:  # also when a clip raises for a retry: the download must not fill the disk
            shutil.rmtree(scratch, ignore_errors=True)

    def _cut(self, spec: ClipSpec, source: _SourceFile, scratch: str):
        """One clip: reused, made, or a tagged drop."""
        file_uri = storage.join(self._media_dir, spec.media_name)
        if spec.action is Action.VIRTUAL:
            return self._reference(spec, file_uri)
        meta_uri = storage.join(self._media_dir, "_meta", spec.media_name + ".json")
        if storage.exists(meta_uri) and storage.exists(file_uri):
            return _from_meta(spec, json.loads(storage.read_bytes(meta_uri)), file_uri)
        # The clip's own folder, removed once it is published: scratch holds the source and one clip.
        work = tempfile.mkdtemp(dir=scratch)
        try:
            clip = self._make(spec, file_uri, work, source)
        except DropError as err:  # a URL that fetched at probing may fail now
            return beam.pvalue.TaggedOutput(DROPS, (spec.segment_key, Drop(
                row_id="", source_uri=spec.source.uri, stage=Stage.CUT, reason=err.reason,
                detail=f"clip {spec.clip_index + 1}/{spec.clip_count} "
                       f"({spec.start:.3f}s..{spec.end:.3f}s, {spec.action.value}): {err.detail}",
                kind="clip", location=spec.clip_key)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        storage.write_bytes(meta_uri, json.dumps(_to_meta(clip), sort_keys=True).encode("utf-8"))
        return dataclasses.replace(clip, source_bytes_downloaded=source.claim_downloaded_bytes())

    def _reference(self, spec: ClipSpec, file_uri: str) -> CutClip:
        """--segments virtual: the one copy of the source (made once), and where the clip is in it."""
        source = spec.source
        if not storage.exists(file_uri):
            # Atomic: two clips racing write the same bytes.
            storage.copy_file(source.uri, file_uri, self._fetch_policy)
        return CutClip(spec=spec, file_uri=file_uri, mime_type=V.accepted_mime(source) or OUTPUT_MIME,
                       source_start=spec.start, source_end=spec.end, duration=spec.end - spec.start,
                       bytes=source.size_bytes, action=Action.VIRTUAL, has_audio=source.has_audio)

    def _make(self, spec: ClipSpec, file_uri: str, work: str, source_file: _SourceFile) -> CutClip:
        source = spec.source
        if spec.action is Action.COPY:
            # A copy, not a move: the group's other clips may still need the download. gs:// to
            # gs:// is copied on the server: no download.
            storage.copy_file(source_file.path() if P.copy_reads_download(source.uri) else source.uri, file_uri)
            return CutClip(spec=spec, file_uri=file_uri, mime_type=V.accepted_mime(source) or OUTPUT_MIME,
                           source_start=0.0, source_end=source.duration, duration=source.duration,
                           bytes=source.size_bytes, action=Action.COPY, has_audio=source.has_audio)
        local_source = source_file.path()
        out = os.path.join(work, f"{uuid.uuid4().hex}.mp4")
        action = spec.action
        note = spec.note
        measured: Optional[Measured] = None
        if action in (Action.REMUX, Action.CUT):
            self._run(stream_copy_command(spec, local_source, out), spec)
            measured = measure(out)
            if P.after_stream_copy(spec, measured, self._limits) is Action.TRANSCODE:
                note = P.copy_over_size_note(measured, self._limits)  # said in the clip's record
                action, measured = Action.TRANSCODE, None
        if action is Action.TRANSCODE:
            measured = self._transcode(spec, local_source, out)
        assert measured is not None
        P.check_length(measured, self._limits)
        start = spec.start if action is not Action.TRANSCODE else P.transcoded_start(spec)
        storage.publish_file(out, file_uri, OUTPUT_MIME)
        return CutClip(spec=spec, file_uri=file_uri, mime_type=OUTPUT_MIME, source_start=start,
                       source_end=start + measured.duration, duration=measured.duration,
                       bytes=measured.bytes, action=action, has_audio=source.has_audio, note=note)

    def _transcode(self, spec: ClipSpec, local_source: str, out: str) -> Measured:
        seconds = spec.end - spec.start
        for scale in P.RETRY_SCALES:
            settings = spec.transcode if scale == 1.0 else transcode_settings(
                spec.source, seconds, self._limits, scale)
            self._run(transcode_command(spec, local_source, out, settings, self._threads), spec)
            measured = measure(out)
            if P.transcode_fits(measured, self._limits):
                return measured
        raise P.still_too_large(measured)

    def _run(self, command: list[str], spec: ClipSpec) -> None:
        timeout = 60 + self._timeout_per_second * (spec.end - spec.start)
        try:
            done = subprocess.run(sandbox.limited(command), capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ClipError(DropReason.CUT_FAILED, f"ffmpeg took longer than {timeout:.0f}s") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            if "No space left on device" in message:
                raise OSError(f"worker disk full while cutting {spec.clip_key}")  # transient: retry
            tail = " | ".join(message.splitlines()[-3:])
            raise ClipError(DropReason.CUT_FAILED, f"ffmpeg failed ({sandbox.describe_exit(done.returncode)}): {tail}")


def _download(source: VideoInfo, scratch: str, fetch_policy: fetch.FetchPolicy) -> str:
    """Stream a remote source to a file in `scratch` (never into memory); return its path."""
    if fetch.is_remote(source.uri):
        return _fetch_probed(source, scratch, fetch_policy)
    return storage.localize(source.uri, scratch)


def _fetch_probed(source: VideoInfo, work: str, fetch_policy: fetch.FetchPolicy) -> str:
    """Fetch a URL source again and check it is the content that was probed (a server can change
    what it sends between two requests: a video to the prober, a playlist to the cutter)."""
    local = fetch.fetch_to_dir(source.uri, work, fetch_policy)
    if fetch.content_identity(local) != source.identity:
        raise ClipError(DropReason.CUT_FAILED, "the remote file changed since it was probed; rerun to retry")
    return local


_META_FIELDS = ("file_uri", "mime_type", "source_start", "source_end", "duration", "bytes", "has_audio")


def _to_meta(clip: CutClip) -> dict:
    meta = {name: getattr(clip, name) for name in _META_FIELDS}
    meta["action"] = clip.action.value
    if clip.note:
        meta["note"] = clip.note
    return meta


def _from_meta(spec: ClipSpec, meta: dict, file_uri: str) -> CutClip:
    fields = {k: meta[k] for k in _META_FIELDS if k != "file_uri"}
    return CutClip(spec=spec, action=Action(meta["action"]), file_uri=file_uri, reused=True,
                   note=meta.get("note", ""), **fields)


def ffmpeg_threads(cores: int, workers: Optional[int], runner: Optional[str]) -> int:
    """Encoder threads per ffmpeg: locally (DirectRunner) every encode may use every core.

    Sharing the cores out (cores // workers) was measured slower (BENCHMARKS.md, "Threads and
    workers"): the DirectRunner splits a stage's elements between its workers up front, so one
    worker is often left encoding alone at the end, on one thread, while the other core idles.
    The count is explicit rather than ffmpeg's choice because x264's bytes depend on it. On other
    runners (Dataflow runs one SDK process per core) 0 lets ffmpeg decide.
    """
    if runner not in (None, "DirectRunner") or not workers:
        return 0
    return max(1, cores)


@dataclasses.dataclass
class CutClips(beam.PTransform):
    """ClipSpec -> CutClip; tagged `drops`: (segment key, clip Drop).

    Each remote source is downloaded at most once (once more if its bundle is retried), whatever
    its number of clips, and not at all when every clip of it exists already.
    """

    media_dir: str
    limits: Limits
    timeout_per_second: float = 4.0
    ffmpeg_threads: int = 0
    lanes: int = 0  # > 1: deal the batches into this many balanced lanes (transforms/core/lanes.py)
    # How URL sources are fetched again: passed in, never read from the environment (see store/fetch.py).
    fetch_policy: fetch.FetchPolicy = fetch.DEFAULT_POLICY

    def expand(self, specs):
        # The grouping also spreads the groups over the workers, as a Reshuffle would.
        batches = (specs
                   | "KeyByBatch" >> beam.Map(lambda spec: (P.batch_key(spec), spec))
                   | "GroupBatches" >> beam.GroupByKey())
        if self.lanes > 1:
            work = self._dealt_into_lanes(batches)
        else:
            work = batches | "OneBatchEach" >> beam.Map(lambda batch: (batch[0], [batch]))
        fn = _CutFn(self.media_dir, self.limits, self.timeout_per_second, self.ffmpeg_threads, self.fetch_policy)
        return work | "Cut" >> beam.ParDo(fn).with_outputs(DROPS, main="clips")

    def _dealt_into_lanes(self, batches):
        lanes = self.lanes
        lane_of = (batches
                   | "BatchCosts" >> beam.Map(lambda batch: (batch[0], sum(clip_cost(s) for s in batch[1])))
                   | "AllCosts" >> beam.combiners.ToList()
                   | "AssignLanes" >> beam.FlatMap(lambda costs: assign_lanes(costs, lanes).items()))
        return (batches
                | "KeyByLane" >> beam.Map(lambda batch, lanes_: (lanes_[batch[0]], batch),
                                          beam.pvalue.AsDict(lane_of))
                | "GroupLanes" >> beam.GroupByKey())
