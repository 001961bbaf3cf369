"""Edit lists read from the bytes: files FFmpeg writes the way real tools do, and hand-built boxes."""
import struct
import subprocess

import pytest

from transforms.media import media_bytes, mp4_boxes
from transforms.media.ffmpeg_commands import ffmpeg_binary
from transforms.media.mp4_edits import tracks_of_moov
from transforms.media.probe_media import measure_written
from transforms.media.timeline_probe import iso_tracks


def _ffmpeg(*args):
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", *args], check=True)


def tracks(path):
    source = media_bytes.open_bytes(path)
    try:
        return {t.handler: t for t in iso_tracks(source.read_at, mp4_boxes.top_level_boxes(source.read_at, source.size))}
    finally:
        source.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("edits")
    base = str(d / "base.mp4")
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=8", "-f", "lavfi", "-i", "sine=d=8",
            "-c:v", "libx264", "-preset", "medium", "-g", "50", "-c:a", "aac", base)
    out = {"base": base}
    out["trimmed"] = str(d / "trimmed.mp4")
    _ffmpeg("-ss", "3.3", "-i", base, "-c", "copy", out["trimmed"])
    out["delayed"] = str(d / "delayed.mp4")
    _ffmpeg("-itsoffset", "2", "-i", base, "-i", base, "-map", "0:v", "-map", "1:a", "-c", "copy", out["delayed"])
    return out


def test_an_encoded_file_has_only_the_bframe_and_priming_edits(files):
    t = tracks(files["base"])
    (video,), (audio,) = t["vide"].edits, t["soun"].edits
    assert video.media_time == pytest.approx(2 / 25)  # medium: 2 B-frames of composition delay
    assert audio.media_time == pytest.approx(1024 / 44100)  # FFmpeg's AAC priming
    assert t["vide"].delay == 0 and t["soun"].delay == 0
    found = measure_written(files["base"])
    assert found["timeline_problem"] is None and found["audio_problem"] is None


def test_a_trimmed_copy_skips_into_its_first_gop(files):
    (edit,) = tracks(files["trimmed"])["vide"].edits
    # From the keyframe at 2.0 s to 3.3 s, plus the composition delay.
    assert edit.media_time == pytest.approx(1.3 + 2 / 25, abs=0.021)
    assert "hides" in measure_written(files["trimmed"])["timeline_problem"]


def test_a_delayed_track_starts_with_an_empty_edit(files):
    video = tracks(files["delayed"])["vide"]
    assert video.edits[0].empty and video.delay == pytest.approx(2.0)
    assert "empty edit" in measure_written(files["delayed"])["timeline_problem"]


def _box(kind, payload):
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full(kind, version, payload):
    return _box(kind, bytes([version, 0, 0, 0]) + payload)


def test_version_1_edit_lists_and_rates_are_read():
    mvhd = _full(b"mvhd", 0, struct.pack(">III", 0, 0, 1000) + bytes(88))
    mdhd = _full(b"mdhd", 1, struct.pack(">QQI", 0, 0, 90000) + bytes(8))
    hdlr = _full(b"hdlr", 0, struct.pack(">I4s", 0, b"vide") + bytes(12))
    elst = _full(b"elst", 1, struct.pack(">I", 2) + struct.pack(">QqhH", 500, -1, 1, 0)
                 + struct.pack(">QqhH", 4000, 180000, 2, 0x8000))
    moov = mvhd + _box(b"trak", _box(b"edts", elst) + _box(b"mdia", mdhd + hdlr))
    (track,) = tracks_of_moov(moov)
    assert track.handler == "vide" and track.timescale == 90000
    assert track.delay == pytest.approx(0.5)
    assert track.edits[1].media_time == pytest.approx(2.0) and track.edits[1].rate == pytest.approx(2.5)
    assert track.skipped == pytest.approx(2.0)


def test_a_truncated_moov_gives_what_it_holds():
    mvhd = _full(b"mvhd", 0, struct.pack(">III", 0, 0, 1000) + bytes(88))
    assert tracks_of_moov(mvhd + b"\x00\x00\x01\x00trak") == []
