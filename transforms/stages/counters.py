"""Counters: what a run has done so far, under stable names, through one helper.

Beam Metrics counters in one namespace: the Dataflow UI shows them live while the job runs
(stats.json says the same at the end, from the records themselves: the counters are for
watching, never for the dataset). Locally, a `progress_dir` may be given: each counting
step then also keeps its totals in a small file there, which the launcher's progress line
reads (the DirectRunner's worker processes report their metrics only when the job ends).
Writing that file is best effort and never fails a bundle.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any, Callable, Optional

import apache_beam as beam
from apache_beam.metrics import Metrics

NAMESPACE = "gemini_video_dataset"
# The names (also the keys of the progress files).
ROWS_READ = "rows_read"
SOURCES = "sources"                    # distinct sources handed to the probe
SOURCES_PROBED = "sources_probed"      # probed now (read)
PROBES_REUSED = "probes_reused"        # unchanged since last probed: not read
PROBE_BYTES_READ = "probe_bytes_read"
CLIPS_PLANNED = "clips_planned"
CLIPS_MADE = "clips_made"
CLIPS_REUSED = "clips_reused"
CUT_BYTES_DOWNLOADED = "cut_bytes_downloaded"
DROPS = "drops"                        # and drops_<reason>, one per reason
_WRITE_EVERY = 1.0                     # seconds between two writes of a progress file


def inc_counter(name: str, value: int = 1) -> None:
    """The one way this pipeline counts: Metrics.counter(NAMESPACE, name)."""
    Metrics.counter(NAMESPACE, name).inc(value)


def read_progress(progress_dir: str) -> dict[str, int]:
    """The totals of every progress file in `progress_dir` (unreadable or half-written ones skipped)."""
    totals: dict[str, int] = {}
    try:
        names = os.listdir(progress_dir)
    except OSError:
        return totals
    for name in names:
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(progress_dir, name), encoding="utf-8") as handle:
                counts = json.load(handle)
        except (OSError, ValueError):
            continue
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + int(value)
    return totals


class _CountFn(beam.DoFn):
    """Passes every element on; counts it under the names `counts(element)` gives."""

    def __init__(self, counts: Callable[[Any], dict[str, int]], progress_dir: Optional[str]):
        self._counts = counts
        self._progress_dir = progress_dir
        self._totals: dict[str, int] = {}
        self._path = ""
        self._written = 0.0

    def setup(self):
        self._totals = {}
        if self._progress_dir:
            self._path = os.path.join(self._progress_dir, f"{os.getpid()}-{uuid.uuid4().hex}.json")

    def process(self, element):
        for name, value in self._counts(element).items():
            if value:
                inc_counter(name, value)
                self._totals[name] = self._totals.get(name, 0) + value
        if self._path and time.monotonic() - self._written > _WRITE_EVERY:
            self._write()
        yield element

    def finish_bundle(self):
        if self._path:
            self._write()

    def _write(self) -> None:
        self._written = time.monotonic()
        try:
            tmp = f"{self._path}.tmp"
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(self._totals, handle)
            os.replace(tmp, self._path)
        except OSError:
            pass  # progress is for watching: a full or missing folder costs the line, not the job


class Count(beam.PTransform):
    """Count the elements passing here (`counts`: element -> {name: amount}); they pass on unchanged."""

    def __init__(self, counts: Callable[[Any], dict[str, int]], progress_dir: Optional[str] = None):
        super().__init__()
        self._counts = counts
        self._progress_dir = progress_dir

    def expand(self, pcoll):
        return pcoll | beam.ParDo(_CountFn(self._counts, self._progress_dir))


def source_counts(record) -> dict[str, int]:
    """A SourceRecord: probed now or found unchanged, and the bytes probing read."""
    if record.probe_reused:
        return {PROBES_REUSED: 1}
    return {SOURCES_PROBED: 1, PROBE_BYTES_READ: record.probe_bytes_read}


def clip_counts(clip) -> dict[str, int]:
    """A CutClip: made by this run or reused, and the source bytes downloaded for it."""
    return {CLIPS_REUSED if clip.reused else CLIPS_MADE: 1, CUT_BYTES_DOWNLOADED: clip.source_bytes_downloaded}


def drop_counts(drop) -> dict[str, int]:
    """A Drop: counted in all and under its reason."""
    reason = getattr(drop.reason, "value", drop.reason)
    return {DROPS: 1, f"{DROPS}_{reason}": 1}
