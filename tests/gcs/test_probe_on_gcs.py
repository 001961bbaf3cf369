"""Probing gs:// sources in place, by ranged reads, against a real GCS server (the emulator)."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.gcs.emulator import BUCKET, upload
from transforms.store import gcs
from transforms.store import storage
from transforms.media.ffmpeg_commands import ffmpeg_binary
from transforms.stages.probe import probe_media_file


@pytest.fixture(scope="module")
def faststart_video(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("gcs-probe") / "long.mp4")
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine", "-t", "60", "-c:v", "libx264",
                    "-preset", "ultrafast", "-b:v", "2M", "-g", "60", "-c:a", "aac", "-shortest",
                    "-movflags", "+faststart", path], check=True)
    return path


def _probe_gcs(uri: str) -> dict:
    identity = storage.identity(uri)
    return probe_media_file(uri, 60, size_bytes=gcs.size_of(identity), generation=gcs.generation_of(identity))


def test_a_gcs_mp4_is_probed_from_its_header_with_the_local_result(gcs_emulator, faststart_video):
    uri = upload(faststart_video, f"gs://{BUCKET}/probe/long.mp4")
    remote = _probe_gcs(uri)
    local = probe_media_file(faststart_video, 60)
    assert os.path.getsize(faststart_video) > 10_000_000
    assert remote["bytes_read"] < 1_000_000, remote["bytes_read"]
    remote.pop("bytes_read"), local.pop("bytes_read")
    assert remote == local


def test_a_gcs_source_without_an_index_is_read_whole_in_growing_ranges(gcs_emulator, tmp_path):
    path = str(tmp_path / "stream.ts")
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x240:rate=25", "-t", "20", "-c:v", "libx264", "-g", "50", path], check=True)
    uri = upload(path, f"gs://{BUCKET}/probe/stream.ts")
    remote = _probe_gcs(uri)
    local = probe_media_file(path, 60)
    assert remote["keyframes"] == local["keyframes"] and len(remote["keyframes"]) == 10
    assert remote["bytes_read"] >= os.path.getsize(path)


def test_an_object_gone_since_it_was_identified_is_retried_not_dropped(gcs_emulator, faststart_video):
    # (A new upload under the same name is the same case on GCS, where the identified generation
    # is then gone too; the emulator serves the latest generation whatever is asked.)
    uri = upload(faststart_video, f"gs://{BUCKET}/probe/replaced.mp4")
    identity = storage.identity(uri)
    storage.delete_file(uri)
    with pytest.raises(OSError, match="no longer there"):  # fails the bundle: the retry finds it gone
        probe_media_file(uri, 60, size_bytes=gcs.size_of(identity), generation=gcs.generation_of(identity))
