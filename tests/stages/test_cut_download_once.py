"""The cut stage downloads a remote source once for all its clips, against a real HTTP server and ffmpeg.

One clip that fails drops only itself; a download that fails drops every clip that needed it;
clips that exist already cost no download; the scratch disk is empty after each group.
"""
from __future__ import annotations

import os

import pytest

from pipeline.synthetic_media import VideoSpec, make_video
from tests.http_servers import serving
from transforms.store import fetch
from transforms.stages.cut import DROPS, _CutFn
from transforms.gemini.limits import default_limits
from transforms.core.types import Action, ClipSpec, CutClip, DropReason, TranscodeSettings, VideoInfo

VIDEO = VideoSpec(name="six_seconds.mp4", seconds=6, fps=10, gop_seconds=1, audio=False, size=(64, 48))
PATH = "/files/" + VIDEO.name


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("served-source"))
    path = make_video(folder, VIDEO)
    with serving(folder) as server:
        yield server, path


@pytest.fixture
def server(served):
    server, _ = served
    server.hits.clear()
    return server


def _loopback_policy(server) -> fetch.FetchPolicy:
    """The explicit exemption for this loopback server, handed to the DoFn; the default refuses it."""
    return fetch.FetchPolicy(allow_networks=("127.0.0.1/32",),
                             allowed_ports=(80, 443, server.server_address[1]), attempts=1)


def _specs(server, path: str, pieces, identity: str = "") -> list[ClipSpec]:
    source = VideoInfo(uri=server.base + PATH, size_bytes=os.path.getsize(path), container="mp4", duration=6.0,
                       video_codec="h264", width=64, height=48, fps=10.0, rotation=0, has_audio=False,
                       audio_codec="", input_offset=0.0, identity=identity or fetch.content_identity(path))
    return [ClipSpec(source=source, segment_key=f"{source.uri}||", clip_index=i, clip_count=len(pieces),
                     start=start, end=end, action=Action.CUT, transcode=TranscodeSettings(200_000, 64_000, 48, 30.0),
                     media_name=f"clip-{i}.mp4") for i, (start, end) in enumerate(pieces)]


def _cut(tmp_path, specs: list[ClipSpec], server):
    """Run the DoFn on one group as the runner would; the clips, the drops, and what scratch holds after."""
    fn = _CutFn(str(tmp_path / "media"), default_limits(), 4.0, fetch_policy=_loopback_policy(server))
    fn.setup()
    try:
        # One batch, as CutClips hands it over, in the runner's order (not the clips' own).
        out = list(fn.process((0, [("the key", reversed(specs))])))
        left = os.listdir(fn._scratch)
    finally:
        fn.teardown()
    clips = [o for o in out if isinstance(o, CutClip)]
    drops = [o.value[1] for o in out if not isinstance(o, CutClip) and o.tag == DROPS]
    assert len(clips) + len(drops) == len(specs)
    return clips, drops, left


def test_every_clip_is_cut_from_one_download(server, served, tmp_path):
    _, path = served
    specs = _specs(server, path, [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0)])
    clips, drops, left = _cut(tmp_path, specs, server)
    assert server.hits[PATH] == 1
    assert not drops and left == []
    assert [c.spec.clip_index for c in clips] == [0, 1, 2]
    assert [c.source_bytes_downloaded for c in clips] == [os.path.getsize(path), 0, 0]

    again, _, _ = _cut(tmp_path, specs, server)  # every clip exists: nothing is fetched
    assert server.hits[PATH] == 1
    assert all(c.reused and c.source_bytes_downloaded == 0 for c in again)


def test_a_failing_clip_drops_only_itself(server, served, tmp_path):
    _, path = served
    specs = _specs(server, path, [(0.0, 2.0), (8.0, 10.0), (4.0, 6.0)])  # 8..10: past the end, the copy comes out short
    clips, drops, left = _cut(tmp_path, specs, server)
    assert server.hits[PATH] == 1 and left == []
    assert [c.spec.clip_index for c in clips] == [0, 2]
    assert [(d.reason, d.location) for d in drops] == [(DropReason.CUT_FAILED, specs[1].clip_key)]
    assert sum(c.source_bytes_downloaded for c in clips) == os.path.getsize(path)


def test_a_failed_download_drops_every_clip_that_needed_it(server, served, tmp_path):
    _, path = served
    specs = _specs(server, path, [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0)], identity="1-changed-since-probing")
    clips, drops, left = _cut(tmp_path, specs, server)
    assert server.hits[PATH] == 1  # tried once, not once per clip
    assert not clips and left == []
    assert [d.location for d in drops] == [s.clip_key for s in specs]
    assert all(d.reason is DropReason.CUT_FAILED and "changed since it was probed" in d.detail for d in drops)
