"""--oversize split and drop, end to end on generated videos: the pieces' pictures are the source's,
bit for bit, every remapped event lands on its colour, and drops are counted by the gate."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipeline.run import run
from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.conservation import assert_conserved
from tests.dataset_files import read_dataset
from tests.media_checks import FrameReader, colour_name
from transforms.core.timecode import parse_time
from transforms.media.ffmpeg_commands import ffmpeg_binary

pytestmark = pytest.mark.e2e

LIMIT = 4_000_000  # --max_file_bytes: the noisy 20 s video below is about 10 MB
NOISY = VideoSpec(name="noisy.mp4", seconds=20, size=(320, 240), fps=25, gop_seconds=1, bitrate="4M", noise=True,
                  events=(Event(2, 4, "red"), Event(7.5, 9.5, "blue"), Event(14, 17, "green")))
# One keyframe in 10 s of 4 Mb/s: no stream-copied piece of it is under the limit.
SPARSE = VideoSpec(name="sparse.mp4", seconds=10, size=(320, 240), fps=25, gop_seconds=10, bitrate="4M",
                   noise=True, events=(Event(3, 5, "yellow"),))
PROMPT = "List every colour event with MM:SS times."


def _annotations(spec):
    return [e.annotation() for e in spec.events]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("oversize-corpus"))
    for spec in (NOISY, SPARSE):
        make_video(folder, spec)
    rows = [
        {"id": "noisy", "video_uri": NOISY.name, "prompt": PROMPT, "annotations": _annotations(NOISY)},
        {"id": "noisy-whole", "video_uri": NOISY.name, "prompt": "Describe it.", "response": "Noise and colours.",
         "oversize": "transcode"},
        {"id": "noisy-drop", "video_uri": NOISY.name, "prompt": PROMPT, "annotations": [], "oversize": "drop"},
        {"id": "sparse", "video_uri": SPARSE.name, "prompt": PROMPT, "annotations": _annotations(SPARSE)},
    ]
    manifest = os.path.join(folder, "manifest.jsonl")
    with open(manifest, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    return folder, manifest


@pytest.fixture(scope="module")
def split_run(corpus, tmp_path_factory):
    folder, manifest = corpus
    out = str(tmp_path_factory.mktemp("split-out"))
    code = run(["--manifest", manifest, "--output", out, "--media_resolution", "MEDIUM", "--oversize", "split",
                "--max_file_bytes", str(LIMIT), "--max_drop_rate", "0.5", "--num_shards", "1"])
    lines, index, drops, stats = read_dataset(out)
    return {"code": code, "out": out, "lines": lines, "index": index, "drops": drops, "stats": stats,
            "folder": folder, "manifest": manifest}


def frame_md5s(path: str) -> list[str]:
    """The MD5 of every decoded video frame, in order (ffmpeg's framemd5 muxer)."""
    done = subprocess.run([ffmpeg_binary(), "-nostdin", "-loglevel", "error", "-i", path, "-map", "0:v:0",
                           "-f", "framemd5", "-"], capture_output=True, check=True, text=True)
    return [line.rsplit(",", 1)[1].strip() for line in done.stdout.splitlines() if line and not line.startswith("#")]


def _clips(index, row_id):
    return sorted((r for r in index if r["row_id"] == row_id), key=lambda r: r["clip_index"])


def test_the_run_passes_with_one_row_dropped(split_run):
    assert split_run["code"] == 0, split_run["stats"]["gate"]
    row_drops = [d for d in split_run["drops"] if d["kind"] == "row"]
    assert [(d["row_id"], d["stage"], d["reason"]) for d in row_drops] == [("noisy-drop", "plan", "over_size_limit")]
    assert split_run["stats"]["drops_by_reason"] == {"over_size_limit": 1}
    assert_conserved([split_run["manifest"]], split_run["out"])


def test_split_pieces_are_stream_copies_under_both_limits(split_run):
    clips = _clips(split_run["index"], "noisy")
    assert len(clips) >= 3 and {c["action"] for c in clips} == {"cut"}
    for clip in clips:
        assert clip["bytes"] <= LIMIT and os.path.getsize(clip["file_uri"]) == clip["bytes"]
        assert clip["duration"] <= 300 and clip["note"] == ""
    for a, b in zip(clips, clips[1:]):
        assert b["source_start"] == pytest.approx(a["source_end"], abs=0.05)
        assert b["source_start"] % NOISY.gop_seconds == pytest.approx(0, abs=1e-3)  # on a keyframe
    assert clips[0]["source_start"] == 0 and clips[-1]["source_end"] == pytest.approx(NOISY.seconds, abs=0.05)


def test_split_pieces_are_the_sources_frames_bit_for_bit(split_run):
    source = frame_md5s(os.path.join(split_run["folder"], NOISY.name))
    assert len(source) == NOISY.seconds * NOISY.fps
    joined = []
    for clip in _clips(split_run["index"], "noisy"):
        frames = frame_md5s(clip["file_uri"])
        first = round(clip["source_start"] * NOISY.fps)
        assert frames == source[first:first + len(frames)], clip["file_uri"]
        joined += frames
    assert joined == source  # every frame once, none re-encoded, none lost


def test_every_remapped_event_lands_on_its_colour(split_run):
    checked = 0
    for _, line, _ in split_run["lines"]:
        text = line["contents"][1]["parts"][0]["text"]
        if not text.startswith("```json"):
            continue
        reader = FrameReader(line["contents"][0]["parts"][0]["fileData"]["fileUri"])
        for item in json.loads(text[len("```json\n"):-len("\n```")]):
            start, end, label = parse_time(item["start"]), parse_time(item["end"]), item["label"]
            length = reader._frames[-1][0] - reader.first
            if end - start >= 1.2:
                assert colour_name(reader.colour_at(start + 0.6)) == label, item
                assert colour_name(reader.colour_at(end - 0.6)) == label, item
            if start >= 0.7:
                assert colour_name(reader.colour_at(start - 0.7)) != label, item
            if end + 0.7 < length:
                assert colour_name(reader.colour_at(end + 0.7)) != label, item
            checked += 1
    assert checked >= len(NOISY.events) + len(SPARSE.events)


def test_a_rows_own_oversize_transcode_wins(split_run):
    (clip,) = _clips(split_run["index"], "noisy-whole")
    assert clip["action"] == "transcode" and clip["bytes"] <= LIMIT


def test_sparse_keyframes_fall_back_to_transcode_and_say_so(split_run):
    clips = _clips(split_run["index"], "sparse")
    assert clips and {c["action"] for c in clips} == {"transcode"}
    assert all("fell back to transcode: keyframes too sparse" in c["note"] for c in clips)


def test_oversize_drop_as_a_user_types_it_is_counted_by_the_gate(corpus, tmp_path):
    folder, _ = corpus
    manifest = os.path.join(folder, "drop-manifest.jsonl")
    with open(manifest, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "noisy", "video_uri": NOISY.name, "prompt": PROMPT,
                                 "annotations": _annotations(NOISY)}) + "\n")
        handle.write(json.dumps({"id": "small", "video_uri": SPARSE.name, "prompt": PROMPT,
                                 "annotations": _annotations(SPARSE), "oversize": "split"}) + "\n")
    out = str(tmp_path / "out")
    done = subprocess.run([sys.executable, "-m", "pipeline.run", "--manifest", manifest, "--output", out,
                           "--oversize", "drop", "--max_file_bytes", str(LIMIT)],
                          capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(
                              os.path.abspath(__file__)))))
    assert done.returncode != 0, done.stdout  # 1 of 2 rows dropped: over --max_drop_rate 0.10
    _, index, drops, stats = read_dataset(out)
    assert [(d["row_id"], d["reason"]) for d in drops if d["kind"] == "row"] == [("noisy", "over_size_limit")]
    assert "over_size_limit" in (done.stdout + done.stderr)
    assert {r["row_id"] for r in index} == {"small"}
    assert stats["gate"]["verdict"] == "fail"
    assert_conserved([manifest], out)
