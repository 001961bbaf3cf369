"""ReadManifest: manifest files (JSONL, CSV, Parquet; local or gs://) -> ManifestRows.

Outputs a dict: `rows` (parsed, ids unique), `drops` (every row that is not), and `count`
(one element: how many records the manifests hold, the base of the drop rate).
"""
from __future__ import annotations

import dataclasses
import posixpath
from typing import Iterable, Iterator, Optional

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from transforms.store import storage
from transforms.core.manifest import iter_records, parse_row, row_id_of
from transforms.core.repair import is_tuning_example, row_from_example
from transforms.core.types import Drop, DropReason, ManifestRow, Stage

DROPS = "drops"


def match_manifests(patterns: Iterable[str]) -> list[str]:
    """Every file the patterns name, sorted; raises ValueError naming a pattern that matches nothing."""
    paths = []
    for pattern in patterns:
        found = [m.path for m in FileSystems.match([pattern])[0].metadata_list]
        if not found:
            raise ValueError(f"manifest {pattern!r} matches no file")
        paths.extend(found)
    return sorted(set(paths))


def parse_manifest(path: str, data: bytes, default_prompt: Optional[str] = None, repair_timeline: str = "video",
                   system_instruction: Optional[str] = None) -> Iterator[ManifestRow | Drop]:
    """Every record of one manifest file's bytes: a parsed row, or the drop that says why not.

    Pure, and the one reading of a manifest: the pipeline's and the rerun fingerprint's
    (pipeline/fingerprint.py, which needs the rows' sources before any work).
    """
    folder = posixpath.dirname(path)
    for location, record in iter_records(path, data):
        if isinstance(record, Drop):
            yield record
            continue
        if is_tuning_example(record):  # repair mode: an existing tuning example
            parsed = row_from_example(record, location, folder, row_id_of(record), repair_timeline)
        else:
            parsed = parse_row(record, location, folder, default_prompt)
        if not isinstance(parsed, Drop) and system_instruction and parsed.system_instruction is None:
            parsed = parsed.model_copy(update={"system_instruction": system_instruction})  # --system_instruction
        yield parsed


class _ReadFileFn(beam.DoFn):
    def __init__(self, default_prompt: Optional[str], repair_timeline: str = "video",
                 system_instruction: Optional[str] = None):
        self._default_prompt = default_prompt
        self._repair_timeline = repair_timeline
        self._system_instruction = system_instruction

    def process(self, path: str):
        # A store error (GCS unavailable, a reset) raises: the runner retries the bundle. Only what
        # the bytes say becomes a drop, row by row (iter_records never raises).
        data = storage.read_bytes(path)
        for parsed in parse_manifest(path, data, self._default_prompt, self._repair_timeline,
                                     self._system_instruction):
            yield beam.pvalue.TaggedOutput(DROPS, parsed) if isinstance(parsed, Drop) else parsed


def _unique_or_drop(element: tuple[str, Iterable[ManifestRow]]):
    row_id, rows = element
    rows = sorted(rows, key=lambda r: r.location)
    if len(rows) == 1:
        yield rows[0]
        return
    places = ", ".join(r.location for r in rows)
    for row in rows:  # which one is right is not ours to guess: all go, deterministically
        yield beam.pvalue.TaggedOutput(DROPS, Drop(
            row_id=row_id, source_uri=row.video_uri, stage=Stage.READ, reason=DropReason.DUPLICATE_ID,
            detail=f"id {row_id!r} is used by {len(rows)} rows ({places}); give each row its own id",
            location=row.location))


@dataclasses.dataclass
class ReadManifest(beam.PTransform):
    """Manifest paths -> {"rows": ManifestRow, "drops": Drop, "count": rows read (one number)}."""

    manifest_paths: list[str]
    default_prompt: Optional[str] = None
    repair_timeline: str = "video"
    system_instruction: Optional[str] = None  # for rows without their own

    def expand(self, pbegin):
        parsed = (pbegin
                  | "ManifestFiles" >> beam.Create(self.manifest_paths)
                  | "ReadAndParse" >> beam.ParDo(_ReadFileFn(self.default_prompt, self.repair_timeline,
                                                             self.system_instruction)).with_outputs(
                      DROPS, main="rows"))
        unique = (parsed.rows
                  | "KeyById" >> beam.Map(lambda row: (row.row_id, row))
                  | "GroupById" >> beam.GroupByKey()
                  | "DropDuplicateIds" >> beam.FlatMap(_unique_or_drop).with_outputs(DROPS, main="rows"))
        count = ((parsed.rows, parsed.drops)
                 | "AllRecords" >> beam.Flatten()
                 | "CountRecords" >> beam.combiners.Count.Globally())
        drops = (parsed.drops, unique.drops) | "ReadDrops" >> beam.Flatten()
        return {"rows": unique.rows, "drops": drops, "count": count}
