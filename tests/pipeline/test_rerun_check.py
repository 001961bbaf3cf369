"""The launcher's rerun check (pipeline/fingerprint.py) on a local folder and on gs:// (the emulator):
a published dataset is kept only while nothing that shapes it has changed, down to one file's rewrite.

No pipeline runs here: the record is written by PublishDataset's own function (publish.write_record)
over small files; tests/faults/test_faults_rerun.py runs the real command.
"""
from __future__ import annotations

import json
import os

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline import fingerprint as fp
from pipeline.options import VideoDatasetOptions, run_config
from tests.gcs.emulator import BUCKET
from transforms.stages import publish
from transforms.store import storage

RUNNER = {"runner": "DirectRunner", "direct_num_workers": 2}
ROWS = [{"id": f"r{i}", "video_uri": name, "prompt": f"task {i}", "annotations": [{"start": 0, "end": 1, "label": "x"}]}
        for i, name in enumerate(("a.mp4", "a.mp4", "b.mp4"))]
DATASET = {"stats.json": b"{}", "train.jsonl": b"line\n", "shards/train-00000-of-00001.jsonl": b"line\n"}


@pytest.fixture(params=["local", "gcs"])
def base(request, tmp_path):
    if request.param == "local":
        return str(tmp_path)
    request.getfixturevalue("gcs_emulator")
    return f"gs://{BUCKET}/rerun-check/{os.path.basename(str(tmp_path))}"


def _write_manifest(base: str, rows=ROWS) -> str:
    manifest = storage.join(base, "corpus", "m.jsonl")
    storage.write_bytes(manifest, "".join(json.dumps(r) + "\n" for r in rows).encode())
    return manifest


def _setup(base: str) -> str:
    storage.write_bytes(storage.join(base, "corpus", "a.mp4"), b"a" * 10)
    storage.write_bytes(storage.join(base, "corpus", "b.mp4"), b"b" * 10)
    return _write_manifest(base)


def _check(base: str, manifest: str, *flags: str):
    opts = PipelineOptions(["--manifest", manifest, "--output", storage.join(base, "out"), *flags])
    config = run_config(opts.view_as(VideoDatasetOptions))
    return fp.check([manifest], config, RUNNER, config.dataset_dir)


def _publish(base: str, run) -> str:
    """What PublishDataset leaves: the dataset files, a clip, the record last. Returns the clip's URI."""
    out = storage.join(base, "out")
    for name, data in DATASET.items():
        storage.write_bytes(storage.join(out, *name.split("/")), data)
    clip = storage.join(out, "media", "c.mp4")
    storage.write_bytes(clip, b"clip")
    publish.write_record(out, run, [clip])
    return clip


def test_a_published_run_is_recognised_and_nothing_else(base):
    manifest = _setup(base)
    run, why = _check(base, manifest)
    assert run is not None and "no record" in why
    _publish(base, run)
    again, why = _check(base, manifest)
    assert why is None and again == run
    record = json.loads(storage.read_bytes(fp.record_uri(storage.join(base, "out"))))
    assert record["sources"] == sorted(storage.join(base, "corpus", n) for n in ("a.mp4", "b.mp4"))
    assert len(record["files"]) == len(DATASET) + 1  # the dataset files and the clip


def _edit_row(base, manifest):
    rows = [dict(ROWS[0], prompt="another task"), *ROWS[1:]]
    _write_manifest(base, rows)


def _new_source(base, manifest):
    rows = [*ROWS[:2], dict(ROWS[2], video_uri="c.mp4")]
    storage.write_bytes(storage.join(base, "corpus", "c.mp4"), b"c" * 10)
    _write_manifest(base, rows)


CHANGES = {
    "one row edited": (_edit_row, "changed"),
    "one row on another source": (_new_source, "changed"),
    "a source replaced": (lambda base, m: storage.write_bytes(storage.join(base, "corpus", "b.mp4"), b"B" * 11),
                          "changed"),
    "a dataset file written again, same bytes": (
        lambda base, m: storage.write_bytes(storage.join(base, "out", "train.jsonl"), DATASET["train.jsonl"]),
        "train.jsonl is rewritten"),
    "a clip deleted": (lambda base, m: storage.delete_file(storage.join(base, "out", "media", "c.mp4")),
                       "c.mp4 is gone"),
    "the record cut short": (lambda base, m: storage.write_bytes(
        fp.record_uri(storage.join(base, "out")), storage.read_bytes(fp.record_uri(storage.join(base, "out")))[:40]),
        "unreadable"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_means_a_full_run(base, change):
    manifest = _setup(base)
    run, _ = _check(base, manifest)
    _publish(base, run)
    edit, why_expected = CHANGES[change]
    edit(base, manifest)
    _, why = _check(base, manifest)
    assert why is not None and why_expected in why


def test_a_flag_that_shapes_the_output_means_a_full_run(base):
    manifest = _setup(base)
    run, _ = _check(base, manifest)
    _publish(base, run)
    assert _check(base, manifest)[1] is None
    for flags in (["--num_shards", "3"], ["--prompt", "default"], ["--media_resolution", "MEDIUM"], ["--fps", "2"]):
        assert "changed" in _check(base, manifest, *flags)[1], flags


def test_an_http_source_has_no_fingerprint(base):
    manifest = _setup(base)
    _write_manifest(base, [*ROWS, dict(ROWS[0], id="web", video_uri="https://example.com/v.mp4")])
    run, why = _check(base, manifest)
    assert run is None and "no stable identity" in why


def test_every_video_of_a_several_video_row_is_a_source(base):
    manifest = _setup(base)
    _write_manifest(base, [{"id": "two", "video_uris": ["a.mp4", "b.mp4"], "prompt": "compare", "response": "same"}])
    run, _ = _check(base, manifest)
    assert run.sources == tuple(sorted(storage.join(base, "corpus", n) for n in ("a.mp4", "b.mp4")))
    _publish(base, run)
    storage.write_bytes(storage.join(base, "corpus", "b.mp4"), b"B" * 12)  # the second video replaced
    assert "changed" in _check(base, manifest)[1]


def test_a_gs_folder_of_many_sources_is_listed_not_asked_object_by_object(gcs_emulator, tmp_path, monkeypatch):
    from transforms.store import gcs
    folder = f"gs://{BUCKET}/many-sources/{tmp_path.name}"
    many = [storage.join(folder, f"v{i:02d}.mp4") for i in range(40)]
    lone = storage.join(folder, "below", "w.mp4")
    for i, uri in enumerate([*many, lone]):
        storage.write_bytes(uri, b"x" * (i + 1))
    gone = storage.join(folder, "gone.mp4")
    expected = {**{uri: storage.identity(uri) for uri in [*many, lone]}, gone: "missing"}
    asked = []
    http = gcs.client()._http
    send = http.request
    monkeypatch.setattr(http, "request", lambda *a, **k: asked.append(k.get("url")) or send(*a, **k))
    assert fp.source_identities([*many, lone, gone]) == expected
    # One listing for the folder of 40; the source alone in its folder and the missing one are asked
    # about one by one (42 requests before).
    assert len(asked) == 3, asked
