"""pipeline.convert with its input, its --videos prefix and its output on gs:// (the emulator)."""
from __future__ import annotations

import json

from pipeline.convert import run as convert
from tests.convert import exports
from tests.gcs.emulator import BUCKET, read_text, upload


def test_an_export_on_gcs_finds_its_videos_under_a_prefix_and_writes_the_manifest_there(gcs_emulator, tmp_path):
    for name, data in (("talk.mp4", b"not read by the converter"), ("talk.srt", exports.srt_file([(1, 2, "Hi.")])),
                       ("train.json", exports.activitynet_json({"v_abc": (9.0, [(1, 3, "A dog runs.")])})),
                       ("v_abc.mkv", b"x")):
        (tmp_path / name).write_bytes(data)
    base = f"gs://{BUCKET}/convert"
    upload(str(tmp_path / "talk.mp4"), f"{base}/videos/talk.mp4")
    upload(str(tmp_path / "v_abc.mkv"), f"{base}/videos/nested/v_abc.mkv")
    upload(str(tmp_path / "talk.srt"), f"{base}/subs/talk.srt")
    upload(str(tmp_path / "train.json"), f"{base}/anet/train.json")

    assert convert(["srt", f"{base}/subs/talk.srt", "--output", f"{base}/out/subs.jsonl",
                    "--videos", f"{base}/videos"]) == 0
    (row,) = [json.loads(line) for line in read_text(f"{base}/out/subs.jsonl").splitlines()]
    assert row["video_uri"] == f"{base}/videos/talk.mp4"
    assert row["annotations"] == [{"start": 1.0, "end": 2.0, "text": "Hi."}]

    assert convert(["activitynet", f"{base}/anet/train.json", "--output", f"{base}/out/anet.jsonl",
                    "--videos", f"{base}/videos"]) == 0
    (row,) = [json.loads(line) for line in read_text(f"{base}/out/anet.jsonl").splitlines()]
    assert row["video_uri"] == f"{base}/videos/nested/v_abc.mkv"  # by stem, in a sub-prefix
