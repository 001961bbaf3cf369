"""An MP4's probe reads its header, not its payload, and finds exactly what a full read finds.

The reference is the same probe reading every byte (the packet scan the pipeline used before,
which the end-to-end pixel checks hold to the frame). The variants are the encodings whose
timestamps are easy to get wrong from a header: B-frames (keyframes shown after they are
decoded), open GOPs, HEVC, NTSC rates, a start offset, QuickTime, rotation, moov at the end.
"""
from __future__ import annotations

import os
import subprocess

import pytest

from transforms.media.ffmpeg_commands import ffmpeg_binary
from transforms.media.probe_media import measure_written, probe

_VIDEO = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate={rate}", "-t", "{seconds}"]
_AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440", "-c:a", "aac", "-shortest"]
VARIANTS = {
    "bframes_ntsc_audio": ("b.mp4", "30000/1001", 12, ["-c:v", "libx264", "-preset", "medium", "-g", "60"], True, True),
    "open_gop": ("open.mp4", "30000/1001", 12, ["-c:v", "libx264", "-g", "60", "-x264opts", "open-gop=1"], False, True),
    "hevc": ("h.mp4", "25", 10, ["-c:v", "libx265", "-g", "50", "-x265-params", "log-level=error"], False, True),
    "start_offset": ("off.mp4", "25", 10, ["-c:v", "libx264", "-bf", "3", "-g", "50", "-output_ts_offset", "1.4"],
                     False, True),
    "quicktime": ("q.mov", "25", 10, ["-c:v", "libx264", "-bf", "2", "-g", "50"], True, False),
    "rotated": ("r.mp4", "25", 6, ["-c:v", "libx264", "-g", "25", "-display_rotation", "90"], False, True),
    "moov_at_end": ("end.mp4", "24", 10, ["-c:v", "libx264", "-g", "48"], True, False),
}


def _make(folder: str, name: str, rate: str, seconds: int, codec: list[str], audio: bool, faststart: bool) -> str:
    path = os.path.join(folder, name)
    video = [a.format(rate=rate, seconds=seconds) for a in _VIDEO]
    rotation = []
    if "-display_rotation" in codec:
        at = codec.index("-display_rotation")
        rotation, codec = codec[at + 1], codec[:at] + codec[at + 2:]
    encoded = path + ".tmp" + os.path.splitext(path)[1] if rotation else path
    command = [ffmpeg_binary(), "-nostdin", "-v", "error", "-y", *video, *(_AUDIO if audio else []),
               *codec, *(["-movflags", "+faststart"] if faststart else []), encoded]
    subprocess.run(command, check=True)
    if rotation:  # an input option in FFmpeg 7: a stream copy writes it as the display matrix
        subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-display_rotation:v:0", rotation,
                        "-i", encoded, "-c", "copy", path], check=True)
    return path


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("header-probe"))
    return {key: _make(folder, *spec) for key, spec in VARIANTS.items()}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_header_gives_what_reading_every_byte_gives(variants, variant):
    path = variants[variant]
    header_only = probe(path)
    full = probe(path, read_payload=True)
    assert "error" not in header_only, header_only
    assert full["bytes_read"] >= os.path.getsize(path)
    assert header_only["bytes_read"] < os.path.getsize(path)
    assert len(header_only["keyframes"]) >= 5
    header_only.pop("bytes_read"), full.pop("bytes_read")
    assert header_only == full


def test_the_rotated_variant_really_is_rotated(variants):
    assert probe(variants["rotated"])["rotation"] in (90, 270)


def test_a_faststart_source_costs_its_header_and_one_keyframe(tmp_path):
    # 2 minutes at a high bitrate: about 30 MB, of which the probe may read under 1 MB.
    path = str(tmp_path / "long.mp4")
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=640x360:rate=30", "-t", "120", "-c:v", "libx264", "-preset", "ultrafast",
                    "-b:v", "2M", "-g", "60", "-movflags", "+faststart", path], check=True)
    size = os.path.getsize(path)
    found = probe(path)
    assert size > 20_000_000
    assert found["bytes_read"] < 1_000_000, found["bytes_read"]
    assert found["frames"] == 3600 and len(found["keyframes"]) == 60


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_written_clip_is_measured_in_process_as_the_full_probe_measures_it(variants, variant):
    path = variants[variant]
    full = probe(path, read_payload=True)
    measured = measure_written(path)
    assert measured["duration"] == full["duration"] and measured["frames"] == full["frames"]
    assert measured["size_bytes"] == os.path.getsize(path)


def test_measuring_a_file_that_is_not_a_whole_mp4_raises(variants, tmp_path):
    data = open(variants["bframes_ntsc_audio"], "rb").read()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[:len(data) // 2])  # faststart: the moov survives, the payload does not
    cut_header = tmp_path / "no_header.mp4"
    cut_header.write_bytes(data[:200])
    matroska = tmp_path / "clip.mkv"
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-i", variants["hevc"], "-c", "copy",
                    str(matroska)], check=True)
    for path in (truncated, cut_header, matroska):
        with pytest.raises(ValueError):
            measure_written(str(path))
