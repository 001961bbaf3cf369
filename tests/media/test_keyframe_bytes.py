"""The probe's byte count at each keyframe is what a stream-copied piece starting there holds."""
from __future__ import annotations

import os
import subprocess

import av
import pytest

from transforms.core.types import Action, ClipSpec, TranscodeSettings
from transforms.media.ffmpeg_commands import ffmpeg_binary, stream_copy_command
from transforms.media.video_info import video_info
from transforms.media.probe_media import probe


def _video_packet_bytes(path: str) -> int:
    with av.open(path) as container:
        return sum(p.size for p in container.demux(container.streams.video[0]) if p.size)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("kb") / "noisy.mp4")
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x240:rate=25,noise=alls=40:allf=t", "-f", "lavfi", "-i", "sine=frequency=440",
                    "-t", "12", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-keyint_min", "50",
                    "-sc_threshold", "0", "-c:a", "aac", "-shortest", "-movflags", "+faststart", path], check=True)
    return path


def test_header_only_probe_counts_bytes_at_every_keyframe(source):
    found = probe(source)
    assert found["bytes_read"] < os.path.getsize(source) / 10  # from the sample table, not the payload
    assert len(found["keyframe_bytes"]) == len(found["keyframes"]) == 6
    assert found["keyframe_bytes"][0] == 0 and found["keyframe_bytes"] == sorted(found["keyframe_bytes"])
    assert found["video_bytes"] == _video_packet_bytes(source)
    assert 0 < found["video_bytes"] < os.path.getsize(source)


@pytest.mark.parametrize("first, last", [(0, 2), (1, 4), (3, 6)])
def test_a_stream_copied_piece_holds_the_bytes_between_its_keyframes(source, tmp_path, first, last):
    found = probe(source)
    keyframes, sizes = found["keyframes"], found["keyframe_bytes"] + [found["video_bytes"]]
    start = keyframes[first]
    end = keyframes[last] if last < len(keyframes) else found["duration"]
    piece = str(tmp_path / f"piece{first}.mp4")
    # The pipeline's own stream copy of the piece, as the cut stage runs it.
    spec = ClipSpec(source=video_info(found, source, "test"), segment_key="k", clip_index=0, clip_count=1,
                    start=start, end=end, action=Action.CUT, media_name="piece.mp4",
                    transcode=TranscodeSettings(video_bitrate=1, audio_bitrate=1, height=240, fps_cap=30.0))
    subprocess.run(stream_copy_command(spec, source, piece), check=True)
    assert _video_packet_bytes(piece) == sizes[last] - sizes[first]


def test_matroska_is_counted_from_its_packets(source, tmp_path):
    mkv = str(tmp_path / "same.mkv")
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-i", source, "-c", "copy", mkv], check=True)
    found, reference = probe(mkv), probe(source)
    assert found["keyframe_bytes"] == reference["keyframe_bytes"]
    assert found["video_bytes"] == reference["video_bytes"]
