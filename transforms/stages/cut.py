"""CutClips: make every planned clip with ffmpeg, measure what was written, publish it.

A clip's media object is named by its recipe, and its measurements are written beside it
(`media/_meta/NAME.json`) after it: a clip whose measurements exist is reused, not remade,
so a retried bundle or a rerun costs nothing and changes nothing.

The clips of a remote source (gs://, http(s)) are cut together, from one download of it into
the worker's scratch disk, removed when they are done; a local source's clips are cut apart,
on as many workers as there are clips.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from typing import Iterable, Optional

import apache_beam as beam

from transforms.core import uris
from transforms.store import fetch
from transforms.store import gcs
from transforms.media import sandbox
from transforms.store import scratch as scratch_dirs
from transforms.store import storage
from transforms.media import video_info as V
from transforms.media.ffmpeg_commands import continuous_copy_command, stream_copy_command, transcode_command
from transforms.core.lanes import assign_lanes, clip_cost, lane_order
from transforms.gemini.limits import OUTPUT_MIME, Limits
from transforms.core.planner import transcode_settings
from transforms.media.probe_media import measure_written
from transforms.core import cut_policy as P
from transforms.core.cut_policy import ClipError, Measured
from transforms.core.errors import DropError
from transforms.core.types import Action, ClipSpec, CutClip, Drop, DropReason, Stage, VideoInfo

DROPS = "drops"


def measure(path: str, sound_checked: bool = True) -> Measured:
    """What a clip we wrote really is: its sample table, read in this process (see measure_written).

    Raises when its timeline is wrong (a safety net: every reader must agree on what 00:07 is);
    `sound_checked=False` reports a problem of its sound instead (a copy redoes its sound alone).
    """
    try:
        found = measure_written(path)
    except ValueError as err:
        raise ClipError(DropReason.CUT_FAILED, f"the written clip does not probe: {err}") from None
    problem = found["timeline_problem"] or (found["audio_problem"] if sound_checked else None)
    if problem:
        raise ClipError(DropReason.CUT_FAILED, f"the written clip's timeline is wrong: {problem}")
    return Measured(duration=float(found["duration"]), bytes=int(found["size_bytes"]),
                    audio_problem=found["audio_problem"])


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
        self._continuous: Optional[str] = None

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

    def continuous(self, spec: ClipSpec, run) -> str:
        """The source copied from its start into a file whose clock runs on (made once), for a
        source whose MPEG-TS clock jumps: a seek in the source itself would land by the raw clock."""
        if self._continuous is None:
            out = os.path.join(self._scratch, f"continuous-{uuid.uuid4().hex}.mov")
            run(continuous_copy_command(spec, self.path(), out), spec)
            self._continuous = out
        return self._continuous

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
        self._scratch = scratch_dirs.make_scratch("cut-")  # and sweeps dead workers'

    def teardown(self):
        shutil.rmtree(self._scratch, ignore_errors=True)

    def process(self, element: tuple[int, Iterable[tuple[str, Iterable[ClipSpec]]]]):
        """(lane, batches): every batch's clips, one batch after another, in the lane's order."""
        lane, batches = element
        batches = {key: list(specs) for key, specs in batches}
        costs = {key: sum(clip_cost(spec) for spec in specs) for key, specs in batches.items()}
        for key in lane_order(lane, costs):
            yield from self._cut_batch(batches[key])

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
            try:
                return self._reference(spec, file_uri)
            except DropError as err:
                return _clip_drop(spec, err)
        meta_uri = storage.join(self._media_dir, "_meta", spec.media_name + ".json")
        if storage.exists(meta_uri) and storage.exists(file_uri):
            return _from_meta(spec, json.loads(storage.read_bytes(meta_uri)), file_uri)
        # The clip's own folder, removed once it is published: scratch holds the source and one clip.
        work = tempfile.mkdtemp(dir=scratch)
        try:
            clip = self._make(spec, file_uri, work, source)
        except DropError as err:  # a URL that fetched at probing may fail now
            return _clip_drop(spec, err)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        storage.write_bytes(meta_uri, json.dumps(_to_meta(clip), sort_keys=True).encode("utf-8"))
        return dataclasses.replace(clip, source_bytes_downloaded=source.claim_downloaded_bytes())

    def _reference(self, spec: ClipSpec, file_uri: str) -> CutClip:
        """--segments virtual: the one copy of the source (made once), and where the clip is in it."""
        source = spec.source
        if not storage.exists(file_uri):
            with _pinned(source):  # atomic: two clips racing write the same bytes
                storage.copy_file(source.uri, file_uri, self._fetch_policy, identity=_gcs_identity(source))
        return CutClip(spec=spec, file_uri=file_uri, mime_type=V.accepted_mime(source) or OUTPUT_MIME,
                       source_start=spec.start, source_end=spec.end, duration=spec.end - spec.start,
                       bytes=source.size_bytes, action=Action.VIRTUAL, has_audio=source.has_audio)

    def _make(self, spec: ClipSpec, file_uri: str, work: str, source_file: _SourceFile) -> CutClip:
        source = spec.source
        if spec.action is Action.COPY:
            # A copy, not a move: the group's other clips may still need the download. gs:// to
            # gs:// is copied on the server (no download), of the generation probed only.
            with _pinned(source):
                storage.copy_file(source_file.path() if P.copy_reads_download(source.uri) else source.uri, file_uri,
                                  identity=_gcs_identity(source))
            return CutClip(spec=spec, file_uri=file_uri, mime_type=V.accepted_mime(source) or OUTPUT_MIME,
                           source_start=0.0, source_end=source.duration, duration=source.duration,
                           bytes=source.size_bytes, action=Action.COPY, has_audio=source.has_audio)
        local_source = source_file.path()
        if source.timeline == "discontinuous" and spec.start > 0:
            local_source = source_file.continuous(spec, self._run)
            # The copy is QuickTime, with the source's streams and its timeline (first frame at
            # the same distance from the start), and a clock that no longer jumps.
            made = dataclasses.replace(spec, source=dataclasses.replace(source, container="quicktime",
                                                                        timeline="offset"))
        else:
            made = spec  # what the commands read: the spec, or the spec over the continuous copy
        out = os.path.join(work, f"{uuid.uuid4().hex}.mp4")
        action = spec.action
        note = spec.note
        measured: Optional[Measured] = None
        if action in (Action.REMUX, Action.CUT):
            self._run(stream_copy_command(made, local_source, out), spec)
            measured = measure(out, sound_checked=False)
            if measured.audio_problem:  # the copied sound does not start with the picture
                self._run(stream_copy_command(made, local_source, out, encode_audio=True), spec)
                measured = measure(out)
            if P.after_stream_copy(spec, measured, self._limits) is Action.TRANSCODE:
                note = P.copy_over_size_note(measured, self._limits)  # said in the clip's record
                action, measured = Action.TRANSCODE, None
        if action is Action.TRANSCODE:
            measured = self._transcode(made, local_source, out)
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
                spec.source, seconds, self._limits, scale, start=spec.start)
            self._run(transcode_command(spec, local_source, out, settings, self._threads), spec)
            measured = measure(out, sound_checked=not settings.copied_audio_bitrate)
            if measured.audio_problem:  # the copied sound does not start with the picture: encode it
                settings = dataclasses.replace(settings, copied_audio_bitrate=0)
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
            raise ClipError(DropReason.CUT_FAILED, f"ffmpeg failed ({sandbox.describe_exit(done.returncode)}): "
                                                   f"{sandbox.error_tail(message)}")


def _clip_drop(spec: ClipSpec, err) -> beam.pvalue.TaggedOutput:
    return beam.pvalue.TaggedOutput(DROPS, (spec.segment_key, Drop(
        row_id="", source_uri=spec.source.uri, stage=Stage.CUT, reason=err.reason,
        detail=f"clip {spec.clip_index + 1}/{spec.clip_count} "
               f"({spec.start:.3f}s..{spec.end:.3f}s, {spec.action.value}): {err.detail}",
        kind="clip", location=spec.clip_key)))


def _download(source: VideoInfo, scratch: str, fetch_policy: fetch.FetchPolicy) -> str:
    """Stream a remote source to a file in `scratch` (never into memory); return its path."""
    if uris.is_remote(source.uri):
        return _fetch_probed(source, scratch, fetch_policy)
    with _pinned(source):
        return storage.localize(source.uri, scratch, fetch_policy, identity=_gcs_identity(source))


def _gcs_identity(source: VideoInfo) -> str:
    """The probed identity of a gs:// source (its generation and size), so reads use that generation."""
    return source.identity if gcs.is_gcs(source.uri) and source.identity else ""


@contextlib.contextmanager
def _pinned(source: VideoInfo):
    """A gs:// source replaced since it was probed: a drop, never a clip of other bytes under its name."""
    try:
        yield
    except gcs.SourceReplaced as err:
        raise ClipError(DropReason.CUT_FAILED, str(err)) from None


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
            work = batches | "OneBatchEach" >> beam.Map(lambda batch: (0, [batch]))
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
