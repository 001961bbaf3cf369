"""The probe reads what the copy decision needs: profile, pixel format, bit depth, chroma,
interlacing, pixel aspect, HDR transfer, the default audio track and the other streams; the
header-only read of an MP4/MOV finds what reading every byte finds."""
from __future__ import annotations

import os

import pytest

from tests import footage_picture as F
from tests.camera_footage import camera_clip
from tests.conftest import CORPUS_ROOT
from transforms.media.probe_media import probe

CASES = {case.row_id: case for case in F.CASES}
KEYS = ("video_profile", "pix_fmt", "bit_depth", "chroma", "interlaced", "sar", "color_transfer", "audio_codec",
        "audio_index", "audio_streams", "audio_channels", "other_streams", "rotation")

EXPECTED = {
    "screen_444": ("High 4:4:4 Predictive", "yuv444p", 8, "4:4:4", False, [1, 1], "", "", 0, 0, 0, [], 0),
    "camera_10bit": ("High 10", "yuv420p10le", 10, "4:2:0", False, [1, 1], "", "aac", 0, 1, 2, [], 0),
    "editor_prores": ("Standard", "yuv422p10le", 10, "4:2:2", False, [1, 1], "", "pcm_s16le", 0, 1, 2, [], 0),
    "camcorder_ntsc": ("Main", "yuv420p", 8, "4:2:0", True, [1, 1], "", "aac", 0, 1, 2, [], 0),
    "broadcast_pal": ("Main", "yuv420p", 8, "4:2:0", True, [64, 45], "", "ac3", 0, 1, 6, [], 0),
    "sar_1215_1216": ("High 4:2:2", "yuv422p", 8, "4:2:2", False, [1215, 1216], "", "mp3", 0, 1, 2, [], 0),
    "sar_240_169": ("Constrained Baseline", "yuv420p", 8, "4:2:0", False, [240, 169], "", "opus", 1, 2, 2,
                    ["audio", "subtitle"], 0),
    "phone_270": ("Constrained Baseline", "yuv420p", 8, "4:2:0", False, [1, 1], "", "aac", 1, 2, 2, ["audio"], 270),
    "phone_hdr_pq": ("Main 10", "yuv420p10le", 10, "4:2:0", False, [1, 1], "smpte2084", "aac", 0, 1, 2, [], 0),
    "phone_hdr_hlg": ("Main 10", "yuv420p10le", 10, "4:2:0", False, [1, 1], "arib-std-b67", "aac", 0, 1, 2, [], 0),
    "archive_ffv1": (None, "yuv420p", 8, "4:2:0", False, [1, 1], "", "flac", 0, 1, 6, ["attachment", "subtitle"], 0),
}


@pytest.mark.parametrize("row_id", sorted(EXPECTED))
def test_picture_and_sound_fields(row_id):
    case = CASES[row_id]
    clip = camera_clip(os.path.join(CORPUS_ROOT, "camera")) if case.camera else None
    path = F.make(os.path.join(CORPUS_ROOT, "picture-media"), case, clip)
    found = probe(path)
    assert "error" not in found, found
    expected = dict(zip(KEYS, EXPECTED[row_id]))
    if expected["video_profile"] is None:  # FFmpeg names no FFV1 profile
        expected["video_profile"] = found["video_profile"]
    assert {k: found[k] for k in KEYS} == expected
    if path.endswith((".mp4", ".mov")):  # header-only: the same answer as reading every byte
        full = probe(path, read_payload=True)
        assert {k: full[k] for k in KEYS} == expected
        assert found["bytes_read"] < full["bytes_read"] or os.path.getsize(path) < 200_000
