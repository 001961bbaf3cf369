"""The cut stage reads the generation of a gs:// source that was probed, never a replacement.

Against the GCS emulator (a real server and the real client). What it can and cannot show:
the emulator ignores `generation=` and generation preconditions on reads and rewrites (it
serves and copies the live object: checked below, so this file notices if that changes). So
the refusals shown here come from the checks the product makes itself: the live generation
before a server-side copy, and the probed size after a download. The preconditions sent with
each request (which real GCS enforces, closing the race between check and copy) cannot be
shown here.
"""
from __future__ import annotations

import os

import pytest

from pipeline.synthetic_media import VideoSpec, make_video
from tests.gcs.emulator import BUCKET, storage_client, upload
from transforms.core.types import Action, ClipSpec, CutClip, DropReason, TranscodeSettings, VideoInfo
from transforms.gemini.limits import default_limits
from transforms.stages.cut import DROPS, _CutFn
from transforms.store import gcs, storage

FIRST = VideoSpec(name="first.mp4", seconds=4, fps=10, gop_seconds=1, audio=False, size=(64, 48))
SECOND = VideoSpec(name="second.mp4", seconds=6, fps=10, gop_seconds=1, audio=False, size=(96, 64))


@pytest.fixture
def replaced(gcs_emulator, tmp_path, request):
    """A gs:// source identified (as the probe does), then replaced by other bytes under its name."""
    first, second = make_video(str(tmp_path), FIRST), make_video(str(tmp_path), SECOND)
    uri = upload(first, f"gs://{BUCKET}/pinned/{request.node.name}/source.mp4")
    probed = storage.identity(uri)
    upload(second, uri)
    assert storage.identity(uri) != probed
    return uri, probed, first, second


def test_the_emulator_ignores_generations_on_reads(replaced):
    uri, probed, _, second = replaced
    bucket, name = uri[len("gs://"):].split("/", 1)
    old = storage_client().bucket(bucket).blob(name, generation=gcs.generation_of(probed))
    assert old.download_as_bytes() == open(second, "rb").read()  # the live object, not the one asked for


def test_a_server_side_copy_of_a_replaced_source_is_refused(replaced):
    uri, probed, _, _ = replaced
    dest = uri.replace("source.mp4", "copy.mp4")
    with pytest.raises(gcs.SourceReplaced, match="no longer generation"):
        storage.copy_file(uri, dest, identity=probed)
    assert not storage.exists(dest)


def test_a_copy_of_the_probed_generation_goes_through(replaced):
    uri, _, _, second = replaced
    dest = uri.replace("source.mp4", "copy.mp4")
    storage.copy_file(uri, dest, identity=storage.identity(uri))
    assert storage.read_bytes(dest) == open(second, "rb").read()


def test_a_download_of_a_replaced_source_is_refused_and_leaves_no_file(replaced, tmp_path):
    uri, probed, _, _ = replaced
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with pytest.raises(gcs.SourceReplaced):
        storage.localize(uri, str(scratch), identity=probed)
    assert os.listdir(scratch) == []


def _spec(uri: str, identity: str, local: str, action: Action) -> ClipSpec:
    source = VideoInfo(uri=uri, size_bytes=os.path.getsize(local), container="mp4", duration=4.0,
                       video_codec="h264", width=64, height=48, fps=10.0, rotation=0, has_audio=False,
                       audio_codec="", input_offset=0.0, identity=identity)
    end = 4.0 if action is Action.COPY else 2.0
    return ClipSpec(source=source, segment_key=f"{uri}||", clip_index=0, clip_count=1, start=0.0, end=end,
                    action=action, transcode=TranscodeSettings(200_000, 64_000, 48, 30.0),
                    media_name=f"source-{action.value}.mp4")


@pytest.mark.parametrize("action", [Action.COPY, Action.CUT, Action.VIRTUAL])
def test_the_cut_stage_drops_a_clip_whose_source_was_replaced(replaced, action, tmp_path):
    uri, probed, first, _ = replaced
    media = uri.rsplit("/", 1)[0] + "/media"
    fn = _CutFn(media, default_limits(), 4.0)
    fn.setup()
    try:
        out = list(fn.process((0, [("key", [_spec(uri, probed, first, action)])])))
    finally:
        fn.teardown()
    assert not any(isinstance(o, CutClip) for o in out)
    (drop,) = [o.value[1] for o in out if o.tag == DROPS]
    assert drop.reason is DropReason.CUT_FAILED and "no longer generation" in drop.detail
    assert not storage.exists(f"{media}/source-{action.value}.mp4")  # nothing named for the old identity
