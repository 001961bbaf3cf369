"""Stream-copy cuts of a source with B-frames at NTSC rate: keyframes are decoded before they are
shown, and ffmpeg ends a copy by decode time. Every clip must end where the next one starts and
every remapped timestamp must land on its colour."""
import glob
import json

import pyarrow.parquet as pq
import pytest

from pipeline.run import run
from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.media_checks import FrameReader, colour_name
from transforms.core.timecode import parse_time

pytestmark = pytest.mark.e2e

BFRAMES = VideoSpec(name="camera_bframes.mp4", seconds=95, fps="30000/1001", gop_seconds=5, preset="medium",
                    events=(Event(10, 14, "red"), Event(29, 33, "blue"), Event(58, 62, "green"),
                            Event(88, 91, "yellow")))


def test_copied_clips_of_a_bframe_source_are_contiguous_and_exact(tmp_path):
    make_video(str(tmp_path), BFRAMES)
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"id": "cam", "video_uri": BFRAMES.name, "prompt": "p",
                                    "annotations": [e.annotation() for e in BFRAMES.events]}) + "\n")
    out = tmp_path / "out"
    # A 31 s clip limit makes four stream-copied clips of a short video.
    # The split hashes the source's path, here in a random tmp folder: keep the row in train.
    assert run(["--manifest", str(manifest), "--output", str(out), "--max_clip_seconds", "31",
                "--validation_fraction", "0"]) == 0
    index = sorted(pq.read_table(glob.glob(str(out / "index" / "*.parquet"))).to_pylist(),
                   key=lambda r: r["clip_index"])
    assert [r["action"] for r in index] == ["cut"] * 4
    for a, b in zip(index, index[1:]):
        assert b["source_start"] - a["source_end"] == pytest.approx(0, abs=0.002)
    labels = []
    for line in (out / "train.jsonl").read_text().splitlines():
        example = json.loads(line)
        reader = FrameReader(example["contents"][0]["parts"][0]["fileData"]["fileUri"])
        text = example["contents"][1]["parts"][0]["text"]
        for item in json.loads(text[len("```json\n"):-len("\n```")]):
            start, end = parse_time(item["start"]), parse_time(item["end"])
            # MM:SS rounds to the second; clips start on NTSC keyframes (25.025 s...), so look
            # half a second inside the event at each end.
            assert colour_name(reader.colour_at(start + 0.5)) == item["label"]
            assert colour_name(reader.colour_at(end - 0.5)) == item["label"]
            assert colour_name(reader.colour_at(max(start - 1.5, 0))) != item["label"] or start < 1.5
            labels.append(item["label"])
    assert sorted(labels) == sorted(e.color for e in BFRAMES.events)
