"""Reruns cost only what changed, scheduled runs publish whole datasets, and retries leave no trace.

All on the GCS emulator, through the real pipeline. "No ffmpeg ran" is checked two ways: the
run's own statistics (clips made vs reused) and the media objects' generations, which change
whenever an object is written again.
"""
from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest

from pipeline.run import run
from pipeline.synthetic_media import LONG, Event, VideoSpec, make_video
from tests.gcs.corpus import upload_corpus
from tests.faults import fail_once_after_upload
from tests.gcs.emulator import BUCKET, object_generations, storage_client, upload
from transforms.store import storage

pytestmark = pytest.mark.e2e

OUT = f"gs://{BUCKET}/incremental"
DATASET_FILES = ("train.jsonl", "validation.jsonl", "drops.jsonl", "stats.json")


def _bytes(uri: str) -> bytes:
    bucket, _, name = uri[len("gs://"):].partition("/")
    blob = storage_client().bucket(bucket).get_blob(name)
    return blob.download_as_bytes() if blob is not None else b""


def _dataset(folder: str) -> dict:
    """Every dataset file's bytes (index shards included), and stats.json parsed."""
    files = {name: _bytes(f"{folder}/{name}") for name in DATASET_FILES}
    for uri in sorted(object_generations(f"{folder}/index")):
        files[uri[len(folder) + 1:]] = _bytes(uri)
    return {"files": files, "stats": json.loads(files["stats.json"])}


def _index_rows(dataset: dict) -> list[dict]:
    rows = []
    for name, data in sorted(dataset["files"].items()):
        if name.startswith("index/"):
            rows += pq.read_table(io.BytesIO(data)).to_pylist()
    return rows


def _media(out: str) -> dict[str, int]:
    return object_generations(f"{out}/media")


def _clips(media) -> set[str]:
    """The clip objects among media/: not the measurements (_meta/) nor the probe cache (_probe/)."""
    return {uri for uri in media if "/media/_" not in uri}


def _run(manifest: str, out: str, *extra: str) -> int:
    # x264's bytes depend on its thread count, which follows the runner: pin it, so runs on the
    # DirectRunner and on the BundleBasedDirectRunner (the fault test) can be compared byte for byte.
    return run(["--manifest", manifest, "--output", out, "--media_resolution", "LOW", "--ffmpeg_threads", "1",
                *extra])


@pytest.fixture(scope="module")
def first(gcs_emulator, corpus_manifest, tmp_path_factory):
    local = tmp_path_factory.mktemp("incremental")
    manifest = upload_corpus(corpus_manifest, "incremental-corpus", str(local / "manifest.jsonl"))
    assert _run(manifest, OUT) == 0
    return {"manifest": manifest, "local_manifest": str(local / "manifest.jsonl"), "local": local,
            "dataset": _dataset(OUT), "media": _media(OUT)}


def test_first_run_makes_every_clip(first):
    stats = first["dataset"]["stats"]
    assert stats["clips_reused"] == 0
    assert stats["clips_made"] == len(_clips(first["media"])) > 5
    assert stats["probes_made"] == stats["sources"] > 5 and stats["probes_reused"] == 0


def test_each_source_is_downloaded_once_however_many_clips_it_makes(first):
    clips_of: dict[str, set[tuple[str, str]]] = {}
    for row in _index_rows(first["dataset"]):
        clips_of.setdefault(row["source_uri"], set()).add((row["file_uri"], row["action"]))
    long_uri = f"gs://{BUCKET}/incremental-corpus/{LONG.name}"
    assert len(clips_of[long_uri]) >= 3 and {action for _, action in clips_of[long_uri]} == {"cut"}
    # A copy is made on the server; every other clip is cut from the worker's download of its source.
    downloaded = sorted(uri for uri, clips in clips_of.items() if any(a != "copy" for _, a in clips))
    assert long_uri in downloaded and len(downloaded) < len(clips_of)
    assert first["dataset"]["stats"]["cut_bytes_downloaded"] == sum(storage.size(uri) for uri in downloaded)


def test_rerun_with_nothing_new_is_recognised_and_writes_nothing(first, capsys):
    before = object_generations(OUT)
    assert f"{OUT}/_fingerprint.json" in before  # the record of the published dataset, beside it
    capsys.readouterr()
    assert _run(first["manifest"], OUT) == 0
    assert "Nothing new since this dataset was published" in capsys.readouterr().out
    assert object_generations(OUT) == before  # no object written again: dataset, media, record


def test_rerun_runs_no_ffmpeg_and_writes_the_same_bytes(first):
    # --always_run: the pipeline runs although nothing is new (the caches' path, as when a row changed).
    assert _run(first["manifest"], OUT, "--always_run") == 0
    again = _dataset(OUT)
    assert again["stats"]["clips_made"] == 0
    assert again["stats"]["cut_bytes_downloaded"] == 0  # no source is fetched for clips that exist
    assert again["stats"]["probes_made"] == 0  # unchanged sources are not even read
    assert again["stats"]["probes_reused"] == first["dataset"]["stats"]["sources"]
    assert again["stats"]["clips_reused"] == first["dataset"]["stats"]["clips_made"]
    assert _media(OUT) == first["media"]  # no media object was written again
    for name, data in first["dataset"]["files"].items():
        if name != "stats.json":
            assert again["files"][name] == data, name


def test_ten_percent_new_rows_cost_only_their_clips(first):
    spec = VideoSpec(name="new_source.avi", seconds=12, video_codec="mpeg4", audio_codec="mp3",
                     events=(Event(3, 6, "red"),))
    new_uri = upload(make_video(str(first["local"]), spec), f"gs://{BUCKET}/incremental-corpus/{spec.name}")
    with open(first["local_manifest"], encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    rows.append({"id": "new_row", "video_uri": new_uri, "prompt": "When is the screen red?",
                 "annotations": [e.annotation() for e in spec.events]})
    assert len(rows) <= 12  # one new row in ten or so
    local = str(first["local"] / "manifest-plus.jsonl")
    with open(local, "w", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(r) + "\n" for r in rows))
    manifest = upload(local, f"gs://{BUCKET}/incremental-corpus/manifest-plus.jsonl")
    before = _media(OUT)

    assert _run(manifest, OUT) == 0
    stats = _dataset(OUT)["stats"]
    after = _media(OUT)
    new_objects = set(after) - set(before)
    new_clips = {r["file_uri"] for r in _index_rows(_dataset(OUT)) if r["row_id"] == "new_row"}
    assert stats["clips_made"] == len(new_clips) == 1
    assert stats["cut_bytes_downloaded"] == storage.size(new_uri)
    assert stats["clips_reused"] == first["dataset"]["stats"]["clips_made"]
    assert _clips(new_objects) == new_clips
    assert stats["probes_made"] == 1
    assert {u: after[u] for u in before} == before  # nothing made before was touched


def test_scheduled_run_writes_under_its_prefix_then_points_latest(first):
    assert _run(first["manifest"], OUT, "--run_id", "nightly-1") == 0
    run_dir = f"{OUT}/runs/nightly-1"
    latest = json.loads(_bytes(f"{OUT}/LATEST"))
    assert latest == {"dataset": run_dir, "train": f"{run_dir}/train.jsonl",
                      "validation": f"{run_dir}/validation.jsonl"}
    scheduled = _dataset(run_dir)
    assert scheduled["stats"]["clips_made"] == 0  # media are shared across runs
    for name in ("train.jsonl", "validation.jsonl", "drops.jsonl"):
        assert scheduled["files"][name] == first["dataset"]["files"][name], name
    generations = object_generations(run_dir)
    assert max(generations.values()) < int(storage_client().bucket(BUCKET).get_blob(
        "incremental/LATEST").generation)  # LATEST moved after every file of the run was written


def test_a_fault_after_an_upload_is_retried_without_trace(first, tmp_path, monkeypatch):
    """The cut fails once right after uploading a clip; the runner retries the bundle."""
    out = f"gs://{BUCKET}/faulty"
    marker = tmp_path / "fault-fired"
    fail_once_after_upload(monkeypatch, str(marker))
    # BundleBasedDirectRunner retries a failed bundle, as Dataflow does (and runs in this process).
    code = _run(first["manifest"], out, "--runner=BundleBasedDirectRunner")
    assert marker.exists(), "the fault never fired"
    assert marker.read_text().startswith(f"{out}/media/")
    assert code == 0

    faulty, clean = _dataset(out), first["dataset"]
    for name in ("train.jsonl", "validation.jsonl", "drops.jsonl"):
        expected = clean["files"][name].replace(f"{OUT}/media/".encode(), f"{out}/media/".encode())
        assert faulty["files"][name] == expected, name

    def comparable(rows):  # the fileUri (so the line and its hash) names the output folder
        return [{**r, "file_uri": r["file_uri"][len(prefix):], "line_sha1": ""}
                for r, prefix in ((r, r["file_uri"].split("/media/")[0]) for r in rows)]
    assert comparable(_index_rows(faulty)) == comparable(_index_rows(clean))
    assert sorted(n for n in faulty["files"] if n.startswith("index/")) == \
        sorted(n for n in clean["files"] if n.startswith("index/"))
    media, clean_media = _media(out), first["media"]
    relative = {u[len(out):] for u in media}
    assert relative == {u[len(OUT):] for u in clean_media}  # no duplicate, no orphan
    referenced = {r["file_uri"] for r in _index_rows(faulty)}
    clips = _clips(media)
    assert clips == referenced
    assert {u for u in media if "/_meta/" in u} == {u.replace("/media/", "/media/_meta/") + ".json" for u in clips}
