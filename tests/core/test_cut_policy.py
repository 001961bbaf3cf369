"""The cut stage's decisions, without ffmpeg: what is kept, re-encoded, retried or dropped."""
from __future__ import annotations

import pytest

from transforms.core import cut_policy as P
from transforms.core.types import Action, ClipSpec, DropReason, TranscodeSettings, VideoInfo
from transforms.gemini.limits import Limits

LIMITS = Limits(max_file_bytes=1_000_000, max_clip_seconds=300.0)


def _spec(uri="/v/a.mp4", start=10.0, end=40.0, fps=25.0, action=Action.CUT) -> ClipSpec:
    info = VideoInfo(uri=uri, container="mp4", video_codec="h264", audio_codec="aac", width=640, height=360,
                     fps=fps, duration=120.0, size_bytes=5_000_000, rotation=0, has_audio=True,
                     input_offset=0.0, identity="id-1")
    settings = TranscodeSettings(video_bitrate=1_000_000, audio_bitrate=64_000, height=360, fps_cap=30.0)
    return ClipSpec(source=info, segment_key="seg", clip_index=1, clip_count=3, start=start, end=end,
                    action=action, transcode=settings, media_name="clip-1.mp4")


def test_a_copy_as_long_as_planned_is_kept():
    assert P.after_stream_copy(_spec(), P.Measured(duration=30.04, bytes=900_000), LIMITS) is None


def test_a_copy_that_started_on_another_keyframe_is_dropped():
    with pytest.raises(P.ClipError) as caught:
        P.after_stream_copy(_spec(), P.Measured(duration=20.0, bytes=900_000), LIMITS)
    assert caught.value.reason is DropReason.CUT_FAILED
    assert "not the planned 30.000s" in caught.value.detail


def test_a_copy_over_the_size_limit_is_re_encoded():
    assert P.after_stream_copy(_spec(), P.Measured(duration=30.0, bytes=1_000_001), LIMITS) is Action.TRANSCODE


def test_a_clip_over_the_length_limit_is_dropped():
    P.check_length(P.Measured(duration=300.0, bytes=1), LIMITS)
    with pytest.raises(P.ClipError) as caught:
        P.check_length(P.Measured(duration=300.5, bytes=1), LIMITS)
    assert caught.value.reason is DropReason.CLIP_OVER_LIMIT


def test_transcodes_are_retried_lower_then_dropped():
    assert P.RETRY_SCALES[0] == 1.0 and list(P.RETRY_SCALES) == sorted(P.RETRY_SCALES, reverse=True)
    assert P.transcode_fits(P.Measured(30.0, 1_000_000), LIMITS)
    assert not P.transcode_fits(P.Measured(30.0, 1_000_001), LIMITS)
    error = P.still_too_large(P.Measured(30.0, 2_000_000))
    assert error.reason is DropReason.CLIP_OVER_LIMIT and "2000000 bytes after 3 encodes" in error.detail


@pytest.mark.parametrize("uri, from_download", [("https://h/a.mp4", True), ("HTTP://h/a.mp4", True),
                                                ("gs://b/a.mp4", False), ("/v/a.mp4", False)])
def test_only_a_url_source_is_copied_from_its_download(uri, from_download):
    assert P.copy_reads_download(uri) is from_download


def test_an_exact_cut_starts_on_the_next_frame():
    assert P.transcoded_start(_spec(start=10.01, fps=25.0)) == pytest.approx(10.04)
    assert P.transcoded_start(_spec(start=10.0, fps=25.0)) == pytest.approx(10.0)
    assert P.transcoded_start(_spec(start=0.0)) == 0.0


def test_a_remote_source_is_cut_in_one_batch_a_local_one_clip_by_clip():
    assert P.batch_key(_spec(uri="/v/a.mp4")) == "clip|seg#1"
    assert P.batch_key(_spec(uri="gs://b/a.mp4")) == "source|gs://b/a.mp4|id-1"
