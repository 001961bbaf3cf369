"""Why each clip is re-encoded: planned by the planner, corrected by what the cut stage did,
counted in stats.json (`transcodes_by_cause`)."""
from __future__ import annotations

import pytest

from tests.core.test_planner import LOW, video
from transforms.core import stats as S
from transforms.core.planner import plan_segment
from transforms.core.types import Action, CutClip, TranscodeCause as C


def plan(**changes):
    info = video(**changes)
    return plan_segment(info, "k", 0.0, info.duration, [], LOW)


@pytest.mark.parametrize("changes, action, causes", [
    (dict(), Action.COPY, ()),
    (dict(video_profile="High 4:4:4 Predictive", pix_fmt="yuv444p"), Action.TRANSCODE, (C.CODEC,)),
    (dict(video_codec="mpeg2video", interlaced=True, sar=(64, 45), audio_codec="ac3", container="mpegts"),
     Action.TRANSCODE, (C.CODEC, C.INTERLACE, C.ASPECT, C.AUDIO)),
    (dict(interlaced=True), Action.TRANSCODE, (C.INTERLACE,)),   # copyable but for its fields
    (dict(rotation=90, sar=(4, 3)), Action.TRANSCODE, (C.ASPECT, C.ROTATION)),
    (dict(video_codec="hevc", video_profile="Main 10", pix_fmt="yuv420p10le", color_transfer="smpte2084"),
     Action.TRANSCODE, (C.CODEC, C.HDR)),
    (dict(size_bytes=400_000_000), Action.TRANSCODE, (C.SIZE,)),
    (dict(video_codec="vp8", container="matroska"), Action.TRANSCODE, (C.CODEC,)),  # MP4 cannot carry VP8
    (dict(audio_channels=6), Action.REMUX, (C.AUDIO,)),           # the picture is copied, the sound mixed
    (dict(audio_codec="flac", container="matroska"), Action.REMUX, (C.AUDIO,)),
    (dict(audio_streams=2), Action.REMUX, ()),                   # one track kept, nothing re-encoded
    (dict(other_streams=("subtitle",)), Action.REMUX, ()),
    (dict(duration=3000.0, keyframes=(0.0,)), Action.TRANSCODE, (C.KEYFRAMES,)),
    (dict(duration=3000.0, keyframes=(0.0,), audio_codec="pcm_s16le"), Action.TRANSCODE, (C.KEYFRAMES, C.AUDIO)),
])
def test_planned_causes(changes, action, causes):
    specs = plan(**changes)
    assert {s.action for s in specs} == {action}
    assert all(s.causes == causes for s in specs)


def _clip(spec, action):
    return CutClip(spec=spec, file_uri="/m/x.mp4", mime_type="video/mp4", source_start=0.0, source_end=1.0,
                   duration=1.0, bytes=1, action=action, has_audio=True)


def test_a_stream_copy_encoded_again_for_its_size_says_so():
    remux = plan(audio_channels=6)[0]
    assert _clip(remux, Action.REMUX).causes == (C.AUDIO,)
    assert _clip(remux, Action.TRANSCODE).causes == (C.SIZE, C.AUDIO)
    copy = plan()[0]
    assert _clip(copy, Action.COPY).causes == ()


def test_stats_count_each_clip_once_under_each_cause():
    acc = S.empty()
    S.add_clip(acc, "transcode", 10.0, 1, causes=["codec", "interlace", "aspect", "audio"])
    S.add_clip(acc, "transcode", 10.0, 1, causes=["interlace"])
    S.add_clip(acc, "remux", 10.0, 1, causes=["audio", "audio"])
    S.add_clip(acc, "copy", 10.0, 1)
    merged = S.merge([acc, S.empty()])
    stats = S.finalize(merged, rows_in=0, max_drop_rate=0.1)
    assert stats["transcodes_by_cause"] == {"aspect": 1, "audio": 2, "codec": 1, "interlace": 2}
