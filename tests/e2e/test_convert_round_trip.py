"""Each format's export of colour-event videos -> pipeline.convert -> pipeline.run -> the pixels.

Every fixture is written the way its tool writes it (tests/convert/exports.py), from what the
tool's user sees: Label Studio's timeline frames at its frame rate, CVAT's decoded frames in
which the colour shows (one video variable-frame-rate, where frames / nominal fps is seconds
off), the datasets' and subtitles' seconds. One pipeline run takes every manifest, and each
answer's events must show their colour 0.6 s inside both ends and not 0.7 s outside.
"""
from __future__ import annotations

import json
import os

import pytest

from pipeline.convert import run as convert
from pipeline.run import run
from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.conservation import assert_conserved
from tests.convert import exports
from tests.dataset_files import read_dataset
from tests.media_checks import FrameReader, colour_name, media_duration
from tests.vfr_media import decoded_frames, frames_showing, make_vfr_video
from transforms.core.timecode import parse_time
from transforms.media.probe_media import probe

pytestmark = pytest.mark.e2e

INSIDE, OUTSIDE = 0.6, 0.7
EVENTS = {  # video file -> its colour events
    "ls_match.mp4": (Event(2.4, 4.2, "red"), Event(6.5, 9.0, "green")),
    "cvat_cfr.mp4": (Event(1.5, 3.5, "blue"), Event(7.0, 10.0, "yellow")),
    "v_anet01.mp4": (Event(1.5, 3.5, "magenta"), Event(6.0, 8.0, "cyan")),
    "training/101/yc2vid.mp4": (Event(2.0, 4.0, "red"), Event(5.5, 8.0, "blue")),
    "CHRD1.mp4": (Event(1.0, 3.0, "green"), Event(5.0, 7.5, "yellow")),
    "talk.mp4": (Event(1.0, 3.0, "white"), Event(4.5, 6.5, "red")),
    "talk2.mp4": (Event(2.0, 4.0, "cyan"), Event(6.0, 8.0, "green")),
}
VFR = ("cvat_vfr.mp4", (Event(3.0, 5.0, "red"), Event(14.0, 16.5, "blue")))


def _spans(name):
    return [(e.start, e.end, e.color) for e in EVENTS[name]]


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    root = tmp_path_factory.mktemp("round-trip")
    videos = root / "videos"
    for name, events in EVENTS.items():
        os.makedirs(os.path.dirname(videos / name), exist_ok=True)
        make_video(str(videos / os.path.dirname(name)),
                   VideoSpec(name=os.path.basename(name), seconds=11, fps=25, audio=False, events=events))
    vfr_path = make_vfr_video(str(videos), VFR[0], 20, VFR[1])
    cfr_frames, vfr_frames = decoded_frames(str(videos / "cvat_cfr.mp4")), decoded_frames(vfr_path)

    # What a labeller in each tool writes down for these videos.
    ls = exports.label_studio_export([("ls_match.mp4", [(*exports.label_studio_frames(s, e, 25), c)
                                                         for s, e, c in _spans("ls_match.mp4")]),
                                      ("ls_match.mp4", [(240, 340, "red")])])  # past the 11 s video's end
    step, start_frame = 2, 4  # a task of every other frame from frame 4: CVAT writes absolute frames
    grid = range(start_frame, len(cfr_frames), step)
    cfr_tracks = [(min(f for f in grid if cfr_frames[f][1] == c), max(f for f in grid if cfr_frames[f][1] == c), c)
                  for _, _, c in _spans("cvat_cfr.mp4")]
    vfr_tracks = [(*frames_showing(vfr_frames, e.color), e.color) for e in VFR[1]]
    inputs = {
        "label-studio": ("export.json", ls, ["--frame_rate", "25"]),
        "cvat-video": ("cfr.xml", exports.cvat_video_export("cvat_cfr.mp4", len(grid), cfr_tracks,
                                                            start_frame=start_frame, step=step), []),
        "cvat-vfr": ("vfr.xml", exports.cvat_video_export(VFR[0], len(vfr_frames), vfr_tracks, task_id=9), []),
        # A task whose meta says the video is longer than it is: a frame past its end.
        "cvat-past": ("past.xml", exports.cvat_video_export("cvat_cfr.mp4", 400, [(250, 320, "blue")],
                                                            task_id=8), []),
        "activitynet": ("anet.json", exports.activitynet_json({"v_anet01": (11.0, _spans("v_anet01.mp4"))}), []),
        "youcook2": ("yc2.json", exports.youcook2_json(
            {"yc2vid": ("training", "101", 11.0, _spans("training/101/yc2vid.mp4"))}), []),
        "charades-sta": ("sta.txt", exports.charades_sta_lines({"CHRD1": _spans("CHRD1.mp4")}), []),
        "srt": ("subs/talk.en.srt", exports.srt_file(_spans("talk.mp4")), []),
        "webvtt": ("subs/talk2.vtt", exports.webvtt_file(_spans("talk2.mp4"), speaker="Ann"), []),
    }
    manifests = []
    for key, (name, data, extra) in inputs.items():
        os.makedirs(os.path.dirname(root / name), exist_ok=True)
        (root / name).write_bytes(data)
        manifest = str(root / f"{key}.jsonl")
        fmt = key if key in ("label-studio", "activitynet", "youcook2", "charades-sta", "srt", "webvtt") \
            else "cvat-video"
        assert convert([fmt, str(root / name), "--output", manifest, "--videos", str(videos), *extra]) == 0, key
        manifests.append(manifest)
    out = str(root / "out")
    code = run(["--manifest", ",".join(manifests), "--output", out, "--timestamp_decimals", "2",
                "--max_drop_rate", "0.25"])
    lines, index, drops, stats = read_dataset(out)
    return {"code": code, "lines": lines, "index": index, "drops": drops, "stats": stats, "out": out,
            "manifests": manifests, "vfr_tracks": vfr_tracks, "vfr_path": vfr_path, "root": root}


def test_the_run_passes_and_accounts_for_every_converted_row(round_trip):
    assert round_trip["code"] == 0, round_trip["stats"]["gate"]
    assert_conserved(round_trip["manifests"], round_trip["out"])
    examples = {row["row_id"] for row in round_trip["index"]}
    assert examples == {"label-studio-101-0", "cvat-task-7", "cvat-task-9", "activitynet-v_anet01", "youcook2-yc2vid",
                        "charades-sta-CHRD1", "srt-talk.en", "webvtt-talk2"}


def test_frames_and_times_past_the_video_are_drops_with_their_place(round_trip):
    drops = {d["row_id"]: d for d in round_trip["drops"] if d["kind"] == "row"}
    assert set(drops) == {"label-studio-102-0", "cvat-task-8"}
    past = drops["cvat-task-8"]
    assert (past["stage"], past["reason"]) == ("plan", "frame_out_of_range")
    assert "`end_frame` 320 is past the video's last frame (274; 275 frames" in past["detail"]
    assert past["location"].endswith("cvat-past.jsonl:1")
    assert drops["label-studio-102-0"]["reason"] == "annotation_out_of_range"


def _items(line):
    text = line["contents"][1]["parts"][0]["text"]
    return json.loads(text[len("```json\n"):-len("\n```")])


def test_every_event_of_every_format_lands_on_its_colour(round_trip):
    checked = 0
    for _, line, _ in round_trip["lines"]:
        path = line["contents"][0]["parts"][0]["fileData"]["fileUri"]
        reader, length = FrameReader(path), media_duration(path)
        items = _items(line)
        assert len(items) == 2
        for item in items:
            colour = item.get("label") or item.get("text")
            start, end = parse_time(item["start"]), parse_time(item["end"])
            assert colour_name(reader.colour_at(start + INSIDE)) == colour, (path, item)
            assert colour_name(reader.colour_at(end - INSIDE)) == colour, (path, item)
            if start - OUTSIDE >= 0:
                assert colour_name(reader.colour_at(start - OUTSIDE)) != colour, (path, item)
            if end + OUTSIDE < length:
                assert colour_name(reader.colour_at(end + OUTSIDE)) != colour, (path, item)
            checked += 1
    assert checked == 16  # two events in each of the eight videos that made an example


def test_the_vfr_videos_frames_are_timed_by_their_timestamps_not_by_the_frame_rate(round_trip):
    (line,) = [line for _, line, _ in round_trip["lines"]
               if "cvat_vfr" in line["contents"][0]["parts"][0]["fileData"]["fileUri"]]
    blue = [item for item in _items(line) if item["label"] == "blue"][0]
    first_blue = [t for t in round_trip["vfr_tracks"] if t[2] == "blue"][0][0]
    fps = probe(round_trip["vfr_path"])["fps"]
    assert parse_time(blue["start"]) == pytest.approx(14.0, abs=0.05)
    assert abs(first_blue / fps - 14.0) > 3  # frames / nominal fps: seconds off
