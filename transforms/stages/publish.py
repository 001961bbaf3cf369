"""PublishDataset: once stats.json is written, publish the run's dataset, or fail the job.

The run wrote its files where no reader looks (OUTPUT/_incoming/, or OUTPUT/runs/RUN_ID/).
On a passing gate they become the dataset: copied over OUTPUT's files (stats.json last), or,
with --run_id, named by OUTPUT/LATEST, one small object replaced in a single write. On a
failing gate nothing moves, and the step raises with the verdict: the job ends failed (on
Dataflow too, after its retries), so a scheduler or an alert sees it. The decisions are in
transforms/core/publication.py.

Last, beside the published dataset, the record of the run's fingerprint and of every file the
dataset is made of (transforms/core/run_fingerprint.py): a rerun with nothing new finds it and
runs nothing. It goes before anything is published and comes back only once all is.
"""
from __future__ import annotations

import dataclasses

import apache_beam as beam

from typing import Iterable, Optional

from transforms.core import publication as P
from transforms.core import run_fingerprint as R
from transforms.store import storage


def _published_files(output: str) -> list[str]:
    """The dataset files now in OUTPUT, by relative name (media/ and runs/ are not listed)."""
    found = [name for name in P.DATASET_FILES if storage.exists(storage.join(output, name))]
    for folder in P.DATASET_DIRS:
        found += [f"{folder}/{name}" for name in storage.list_files(storage.join(output, folder))]
    return found


def promote(staged: str, output: str) -> None:
    """Copy the staged dataset over OUTPUT's, then remove the staging folder. Safe to run twice."""
    if not storage.exists(storage.join(staged, P.STATS)):
        return  # an earlier attempt of this step finished (it removes stats.json from staging first)
    # The files are about to change: the old record no longer describes them.
    storage.delete_file(storage.join(output, R.RECORD))
    for action, name in P.promotion_steps(storage.list_files(staged), _published_files(output)):
        if action == "copy":
            storage.copy_file(storage.join(staged, *name.split("/")), storage.join(output, *name.split("/")))
        else:
            storage.delete_file(storage.join(output, *name.split("/")))
    storage.delete_file(storage.join(staged, P.STATS))
    storage.delete_tree(staged)


def point_latest(output: str, dataset_dir: str) -> None:
    existing = {split: storage.join(dataset_dir, f"{split}.jsonl") for split in P.SPLITS}
    existing = {split: path for split, path in existing.items() if storage.exists(path)}
    storage.write_bytes(storage.join(output, P.POINTER), P.pointer(dataset_dir, existing))


def write_record(dataset_dir: str, fingerprint: R.Fingerprint, clip_uris: Iterable[str]) -> None:
    """The published dataset's record: the fingerprint and the version of each of its files and clips."""
    files = [storage.join(dataset_dir, *name.split("/")) for name in _published_files(dataset_dir)]
    storage.write_bytes(storage.join(dataset_dir, R.RECORD),
                        R.record_bytes(fingerprint, storage.versions_of([*files, *clip_uris])))


def publish_or_fail(stats: dict, output: str, written_dir: str, pointer: bool,
                    fingerprint: Optional[R.Fingerprint] = None, clip_uris: Iterable[str] = ()) -> dict:
    if stats["gate"]["verdict"] != "pass":
        raise P.GateFailed(P.gate_failure(stats, written_dir))
    if pointer:
        # The record first: LATEST stays the last write. A run stopped between the two is recognised
        # by its rerun, which points LATEST at the run's folder as this would have.
        if fingerprint:
            write_record(written_dir, fingerprint, clip_uris)
        point_latest(output, written_dir)
    else:
        promote(written_dir, output)
        if fingerprint:  # last: the files it names are the published ones
            write_record(output, fingerprint, clip_uris)
    return stats


@dataclasses.dataclass
class PublishDataset(beam.PTransform):
    """Input: the stats WriteDataset emits once stats.json (its last file) is written.

    `pointer`: with --run_id, move LATEST to `written_dir`; without, copy its files into `output`.
    `fingerprint` (None: no record) and `clip_uris` (a PCollection of the clips' URIs): the record
    written once the dataset is published.
    """

    output: str
    written_dir: str
    pointer: bool
    fingerprint: Optional[R.Fingerprint] = None
    clip_uris: Optional[beam.PCollection] = None

    def expand(self, stats):
        clips = beam.pvalue.AsList(self.clip_uris) if self.clip_uris is not None else ()
        return stats | "PublishOrFail" >> beam.Map(publish_or_fail, self.output, self.written_dir, self.pointer,
                                                   self.fingerprint, clips)
