"""Pure pieces of the cloud work: run folders, the LATEST pointer, reuse statistics, gs:// paths."""
from __future__ import annotations

import datetime

from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.options import VideoDatasetOptions, resolve_run_id, run_config, validate
from transforms.core import stats as S
from transforms.core.uris import resolve_uri
from transforms.stages.probe import probe_cache_name


def _opts(*args: str) -> VideoDatasetOptions:
    return PipelineOptions(["--manifest", "m.jsonl", "--output", "gs://b/ds/", *args]).view_as(VideoDatasetOptions)


def test_run_id_auto_is_the_launch_time():
    now = datetime.datetime(2026, 11, 21, 3, 0, 5, tzinfo=datetime.timezone.utc)
    assert resolve_run_id("auto", now) == "20261121T030005Z"
    assert resolve_run_id("nightly-7", now) == "nightly-7"
    assert resolve_run_id(None, now) is None


def test_dataset_goes_under_runs_only_with_a_run_id():
    plain = run_config(_opts())
    assert plain.dataset_dir == "gs://b/ds" and plain.media_dir == "gs://b/ds/media"
    scheduled = run_config(_opts("--run_id", "n1"))
    assert scheduled.dataset_dir == "gs://b/ds/runs/n1" and scheduled.media_dir == "gs://b/ds/media"


def test_run_id_must_be_a_folder_name():
    assert any("--run_id" in e for e in validate(_opts("--run_id", "../up")))
    assert any("--run_id" in e for e in validate(_opts("--run_id", "a/b")))
    assert not validate(_opts("--run_id", "2026-11-21.nightly_1"))


def test_made_and_reused_clips_and_probes_add_up_across_workers():
    a = S.add_clip(S.add_clip(S.empty(), "cut", 10.0, 100, reused=False), "cut", 10.0, 100, reused=True)
    b = S.add_source(S.add_clip(S.empty(), "copy", 5.0, 50, reused=True), 10.0, 100, probe_reused=True)
    b = S.add_source(b, 5.0, 50)
    stats = S.finalize(S.merge([a, b]), rows_in=0, max_drop_rate=0.1)
    assert (stats["clips_made"], stats["clips_reused"]) == (1, 2)
    assert (stats["probes_made"], stats["probes_reused"]) == (1, 1)


def test_probe_cache_entry_changes_with_the_source_version():
    assert probe_cache_name("gs://b/v.mp4", "g1-10") != probe_cache_name("gs://b/v.mp4", "g2-10")
    assert probe_cache_name("gs://b/v.mp4", "g1-10") == probe_cache_name("gs://b/v.mp4", "g1-10")


def test_relative_video_paths_resolve_against_a_gcs_manifest_folder():
    assert resolve_uri("clips/a.mp4", "gs://bucket/manifests") == "gs://bucket/manifests/clips/a.mp4"
    assert resolve_uri("../videos/a.mp4", "gs://bucket/manifests") == "gs://bucket/videos/a.mp4"
    assert resolve_uri("gs://other/a.mp4", "gs://bucket/manifests") == "gs://other/a.mp4"
    assert resolve_uri("a.mp4", "/data/m") == "/data/m/a.mp4"
