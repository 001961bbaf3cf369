"""The whole pipeline on a corpus of broken, strange and hostile input: the run completes, every
bad row is dropped with its reason, every row is accounted for, no canary byte or pixel leaks,
and the exit code follows the gate."""
from __future__ import annotations

import json
import os
import shutil

import av
import numpy as np
import pytest

from pipeline.run import run
from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests import bad_inputs as B
from tests.conservation import assert_conserved, output_rows
from tests.http_servers import serving
from transforms.store import fetch

pytestmark = pytest.mark.e2e

PROMPT = "List the colour events with MM:SS times."
GOOD = (VideoSpec(name="good_a.mp4", seconds=6, size=(96, 64), events=(Event(1, 3, "red"),)),
        VideoSpec(name="good_b.mkv", seconds=6, size=(96, 64), events=(Event(2, 4, "green"),)))


def _row(row_id, uri, **extra):
    row = {"id": row_id, "video_uri": uri, "prompt": PROMPT, "annotations": []}
    row.update(extra)
    return (json.dumps(row) + "\n").encode()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("bad-corpus"))
    served = os.path.join(folder, "served")
    os.makedirs(served)
    video, text, secret = B.make_canary(folder)
    for spec in GOOD:
        make_video(folder, spec)
    shutil.copy(os.path.join(folder, "good_a.mp4"), os.path.join(served, "remote_good.mp4"))
    media = {  # row id -> (file, expected reason)
        "zero_byte": (B.make_zero_byte(folder), "unreadable_media"),
        "truncated_first_frame": (B.make_truncated_in_first_frame(folder), "unreadable_media"),
        "no_moov": (B.make_no_moov(folder), "unreadable_media"),
        "text_named_mp4": (B.make_text_named_mp4(folder), "unreadable_media"),
        "audio_only": (B.make_audio_only(folder), "no_video_stream"),
        "unknown_codec": (B.make_unknown_codec(folder), "unsupported_codec"),
        "huge_frame": (B.make_huge_frame(folder), "bad_frame_size"),
        "absurd_duration": (B.make_absurd_duration(folder), "implausible_duration"),
        "many_streams": (B.make_many_streams(folder), "too_many_streams"),
        "nut_container": (B.make_unaccepted_container(folder), "unsupported_format"),
        "hls_named_mp4": (B.make_hls_named_mp4(folder, video, text), "hostile_media"),
        "concat_script": (B.make_concat_script_named_mp4(folder, video), "hostile_media"),
        "concat_protocol": (B.make_concat_protocol_named_mp4(folder, video, text), "hostile_media"),
        "playlist_in_avi": (B.make_avi_with_embedded_playlist(folder, video, text), "hostile_media"),
        "missing_file": (os.path.join(folder, "not_there.mp4"), "source_not_found"),
    }
    # Timeouts with room for a loaded machine: only the slow server may time out.
    with serving(served, slow_seconds=6.0) as server:
        port = server.server_address[1]
        # The explicit exemption for this loopback server, handed to the run; the default refuses it.
        policy = fetch.FetchPolicy(allow_networks=("127.0.0.1/32",), allowed_ports=(80, 443, port),
                                   read_timeout=2.0, attempts=2, backoff_seconds=0.05)
        urls = {
            "url_404": (server.base + "/missing.mp4", "remote_http_error"),
            "url_500": (server.base + "/error.mp4", "remote_unavailable"),
            "url_slow": (server.base + "/slow.mp4", "remote_unavailable"),
            "url_redirect_private": (server.base + "/redirect-private.mp4", "remote_refused"),
            "url_redirect_metadata": (server.base + "/redirect-metadata.mp4", "remote_refused"),
            "url_metadata_server": ("http://169.254.169.254/computeMetadata/v1/", "remote_refused"),
            # A video when probed, a playlist when fetched again to be copied: never copied blindly.
            "url_changes_after_probe": (server.base + "/changing/remote_good.mp4", "clip_lost"),
            "url_ftp": ("ftp://example.com/video.mp4", "unsupported_uri"),
            "url_file": (f"file://{video}", "unsupported_uri"),
            # Relative to the manifest's folder, so a local path FFmpeg never reads as a protocol.
            "concat_uri": (f"concat:{os.path.basename(video)}|{os.path.basename(text)}", "source_not_found"),
        }
        lines = [_row(GOOD[0].name.split(".")[0], GOOD[0].name,
                      annotations=[e.annotation() for e in GOOD[0].events]),
                 _row(GOOD[1].name.split(".")[0], GOOD[1].name,
                      annotations=[e.annotation() for e in GOOD[1].events]),
                 _row("remote_good", server.base + "/files/remote_good.mp4",
                      annotations=[e.annotation() for e in GOOD[0].events])]
        expected = {}
        for row_id, (path, reason) in {**media, **urls}.items():
            lines.append(_row(row_id, path))
            expected[row_id] = reason
        lines.append(_row("bad_time", GOOD[0].name, annotations=[{"start": "soon", "label": "red"}]))
        expected["bad_time"] = "bad_time"
        lines.append(_row("bad_range", GOOD[0].name, annotations=[{"start": 3, "end": 1, "label": "red"}]))
        expected["bad_range"] = "bad_range"
        lines.append(_row("past_the_end", GOOD[0].name, annotations=[{"start": 50, "label": "red"}]))
        expected["past_the_end"] = "annotation_out_of_range"
        lines += [_row("dup", GOOD[0].name), _row("dup", GOOD[1].name)]
        expected["dup"] = "duplicate_id"
        lines.append(b'{"id": "latin1", "video_uri": "good_a.mp4", "prompt": "caf\xe9", "annotations": []}\n')
        lines.append(b'{"id": "not json", \n')
        manifest = os.path.join(folder, "manifest.jsonl")
        with open(manifest, "wb") as handle:
            handle.write(b"".join(lines))
        n = len(lines)
        malformed = {f"{manifest}:{n - 1}", f"{manifest}:{n}"}
        out = os.path.join(folder, "out")
        strict_out = os.path.join(folder, "out-strict")
        code = run(["--manifest", manifest, "--output", out, "--max_drop_rate", "1.0",
                    "--validation_fraction", "0", "--num_shards", "2"], fetch_policy=policy)
        strict_code = run(["--manifest", manifest, "--output", strict_out, "--validation_fraction", "0",
                           "--num_shards", "2"], fetch_policy=policy)
    return {"manifest": manifest, "out": out, "code": code, "expected": expected, "malformed": malformed,
            "strict_out": strict_out, "strict_code": strict_code, "canary": (video, text, secret)}


def test_the_run_completes_and_a_permissive_gate_passes(corpus):
    assert corpus["code"] == 0


def test_the_same_input_under_the_default_gate_exits_non_zero(corpus):
    assert corpus["strict_code"] == 1
    _, _, stats = output_rows(corpus["strict_out"])
    assert stats["gate"]["verdict"] == "fail"
    assert any("--max_drop_rate" in reason for reason in stats["gate"]["reasons"])


@pytest.mark.parametrize("out_key", ["out", "strict_out"])
def test_every_row_is_in_the_index_or_the_drops_never_both(corpus, out_key):
    assert_conserved([corpus["manifest"]], corpus[out_key])


def test_every_bad_row_is_dropped_with_its_reason(corpus):
    _, drops, _ = output_rows(corpus["out"])
    by_id = {}
    for drop in drops:
        by_id.setdefault(drop["row_id"], []).append(drop["reason"])
    got = {row_id: sorted(set(by_id.get(row_id, []))) for row_id in corpus["expected"]}
    want = {row_id: [reason] for row_id, reason in corpus["expected"].items()}
    assert got == want, {k: (got[k], [d["detail"] for d in drops if d["row_id"] == k])
                         for k in got if got[k] != want[k]}
    assert len(by_id["dup"]) == 2
    for drop in drops:
        assert drop["detail"], drop


def test_non_utf8_and_broken_json_lines_are_malformed_rows(corpus):
    _, drops, _ = output_rows(corpus["out"])
    malformed = {d["location"]: d["reason"] for d in drops if d["location"] in corpus["malformed"]}
    assert malformed == {loc: "malformed_row" for loc in corpus["malformed"]}


def test_the_good_rows_are_in_the_dataset(corpus):
    index, _, stats = output_rows(corpus["out"])
    assert {r["row_id"] for r in index} == {"good_a", "good_b", "remote_good"}
    remote = [r for r in index if r["row_id"] == "remote_good"]
    assert remote[0]["action"] == "copy" and os.path.getsize(remote[0]["file_uri"]) == os.path.getsize(
        os.path.join(os.path.dirname(corpus["manifest"]), "good_a.mp4"))


def _magenta_frames(path: str) -> int:
    found = 0
    with av.open(path) as container:
        for frame in container.decode(container.streams.video[0]):
            rgb = frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)
            if np.abs(rgb - np.array(B.CANARY_COLOUR)).max() < 60:
                found += 1
    return found


def test_no_canary_byte_or_pixel_reaches_any_output(corpus):
    video, _, secret = corpus["canary"]
    with open(video, "rb") as handle:
        canary = handle.read()
    mdat = canary.index(b"mdat") + 4
    canary_frames = canary[mdat:mdat + 64]  # the canary's coded picture data
    media_checked = 0
    for out_key in ("out", "strict_out"):
        for root, _, files in os.walk(corpus[out_key]):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as handle:
                    data = handle.read()
                assert secret not in data, path
                assert canary_frames not in data, path
                if name.endswith(".mp4"):
                    assert _magenta_frames(path) == 0, path
                    media_checked += 1
    assert media_checked >= 6  # the three good rows' clips, in both outputs


def test_an_empty_manifest_completes_and_fails_the_gate(tmp_path):
    manifest = tmp_path / "empty.jsonl"
    manifest.write_bytes(b"")
    out = str(tmp_path / "out")
    assert run(["--manifest", str(manifest), "--output", out, "--num_shards", "1"]) == 1
    _, _, stats = output_rows(out)
    assert stats["rows_in"] == 0 and "no training examples were produced" in stats["gate"]["reasons"]
    assert_conserved([str(manifest)], out)
