"""Which clips the cut stage makes together (one download per remote source), in what order, and
how the downloaded bytes reach the statistics and the summary."""
from __future__ import annotations

import dataclasses

import pytest

from pipeline.summary import summary_text
from transforms.core import stats as S
from transforms.core.cut_policy import batch_key, clip_order
from transforms.stages.cut import _from_meta, _to_meta
from transforms.core.types import Action, ClipSpec, CutClip, TranscodeSettings, VideoInfo


def _spec(uri: str, clip_index: int = 0, segment: str = "", identity: str = "1000-7") -> ClipSpec:
    source = VideoInfo(uri=uri, size_bytes=1000, container="mp4", duration=60.0, video_codec="h264", width=64,
                       height=48, fps=10.0, rotation=0, has_audio=False, audio_codec="", input_offset=0.0,
                       identity=identity)
    return ClipSpec(source=source, segment_key=f"{uri}|{segment}|", clip_index=clip_index, clip_count=3,
                    start=clip_index * 20.0, end=clip_index * 20.0 + 20.0, action=Action.CUT,
                    transcode=TranscodeSettings(200_000, 64_000, 48, 30.0), media_name=f"{segment}{clip_index}.mp4")


@pytest.mark.parametrize("uri", ["gs://bucket/videos/a.mp4", "https://example.com/a.mp4",
                                 "http://example.com/a.mp4", "s3://bucket/a.mp4"])
def test_a_remote_sources_clips_share_one_key_across_segments(uri):
    keys = {batch_key(_spec(uri, i, segment)) for i in range(3) for segment in ("", "30.0")}
    assert keys == {f"source|{uri}|1000-7"}


def test_another_version_of_a_remote_source_is_another_batch():
    assert batch_key(_spec("gs://b/a.mp4", identity="1-1")) != batch_key(_spec("gs://b/a.mp4", identity="1-2"))


@pytest.mark.parametrize("uri", ["/data/a.mp4", "videos/a.mp4"])
def test_a_local_sources_clips_get_one_key_each(uri):
    specs = [_spec(uri, i, segment) for i in range(3) for segment in ("", "30.0")]
    keys = [batch_key(s) for s in specs]
    assert len(set(keys)) == len(specs)
    assert keys[0] == f"clip|{specs[0].clip_key}"


def test_a_local_clip_key_never_equals_a_remote_source_key():
    remote = _spec("gs://b/a.mp4")
    local = _spec("source|gs://b/a.mp4|1000-7")  # a local file named to collide
    assert batch_key(local) != batch_key(remote)


def test_a_groups_clips_are_cut_in_a_fixed_order():
    specs = [_spec("gs://b/a.mp4", i, segment) for i in (2, 0, 1) for segment in ("x", "")]
    ordered = sorted(specs, key=clip_order)
    assert [s.clip_key for s in ordered] == [
        "gs://b/a.mp4|x|#0", "gs://b/a.mp4||#0", "gs://b/a.mp4|x|#1", "gs://b/a.mp4||#1",
        "gs://b/a.mp4|x|#2", "gs://b/a.mp4||#2"]
    assert sorted(reversed(specs), key=clip_order) == ordered


def test_downloaded_bytes_add_up_across_workers():
    a = S.add_clip(S.add_clip(S.empty(), "cut", 10.0, 100, downloaded=5000), "cut", 10.0, 100)
    b = S.add_clip(S.empty(), "cut", 10.0, 100, reused=True)
    stats = S.finalize(S.merge([a, b]), rows_in=1, max_drop_rate=0.1)
    assert stats["cut_bytes_downloaded"] == 5000


def _stats(downloaded: int) -> dict:
    acc = S.add_clip(S.empty(), "cut", 10.0, 100, downloaded=downloaded)
    S.add_example(acc, {"split": "train", "clip_index": 0, "est_tokens": 10, "action": "cut",
                        "duration": 10.0, "bytes": 100}, 10 ** 9, 1200.0)
    return S.finalize(acc, rows_in=1, max_drop_rate=0.1)


def test_the_summary_shows_the_download_only_when_there_was_one():
    assert "downloaded to cut: 12.5 MB" in summary_text(_stats(12_500_000), "gs://b/out", None)
    assert "downloaded" not in summary_text(_stats(0), "gs://b/out", None)


def test_a_reused_clip_reports_no_download():
    spec = _spec("gs://b/a.mp4")
    made = CutClip(spec=spec, file_uri="gs://b/m/0.mp4", mime_type="video/mp4", source_start=0.0,
                   source_end=20.0, duration=20.0, bytes=100, action=Action.CUT, has_audio=False,
                   source_bytes_downloaded=1000)
    meta = _to_meta(made)
    assert "source_bytes_downloaded" not in meta
    assert _from_meta(spec, meta, made.file_uri) == dataclasses.replace(made, reused=True, source_bytes_downloaded=0)
