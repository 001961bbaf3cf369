"""Each format's parser on an export written the way its tool writes it, and on bad ones."""
from __future__ import annotations

import json

import pytest

from tests.convert import exports
from transforms.convert import activitynet, charades_sta, cvat_video, label_studio, srt, webvtt, youcook2
from transforms.convert.shared import Settings, VideoIndex

ROOT = "/data/videos"
FILES = [f"{ROOT}/{name}" for name in (
    "match.mp4", "lecture.mkv", "v_abc123.mp4", "training/113/GLGh_9UJvNo.mp4", "AO8RW.mp4", "talk.mp4",
    "other/talk2.webm")]


def _settings(**kw) -> Settings:
    return Settings(videos=VideoIndex(ROOT, FILES), **kw)


def _errors(conversion) -> list[str]:
    return [e.text() for e in conversion.errors]


def test_label_studio_ranges_become_seconds_at_the_frame_rate():
    first, last = exports.label_studio_frames(2.4, 4.2, 25)
    assert (first, last) == (61, 105)
    data = exports.label_studio_export([("match.mp4", [(first, last, "goal"), (1, 25, "kickoff")])])
    out = label_studio.convert(data, "export.json", _settings(frame_rate=25))
    assert _errors(out) == []
    (row,) = out.rows
    assert row["video_uri"] == f"{ROOT}/match.mp4"  # found by the upload's original name
    assert row["annotations"] == [{"start": 0.0, "end": 1.0, "label": "kickoff"},
                                  {"start": 2.4, "end": 4.2, "label": "goal"}]
    assert row["id"] == "label-studio-101-0" and row["prompt"] == label_studio.DEFAULT_PROMPT
    default = label_studio.convert(data, "export.json", _settings())  # the config's default: 24
    assert default.rows[0]["annotations"][1] == {"start": 2.5, "end": 4.375, "label": "goal"}


def test_label_studio_whole_video_choices_become_a_response_row():
    data = json.dumps([{"id": 9, "data": {"video": "https://cdn.example.com/clips/match.mp4"}, "annotations": [
        {"id": 1, "result": [{"type": "choices", "from_name": "kind", "to_name": "video",
                              "value": {"choices": ["sport", "outdoor"]}}]}]}]).encode()
    (row,) = label_studio.convert(data, "e.json", _settings(prompt="What is it?")).rows
    # a URL in the export is used as it is
    assert row == {"id": "label-studio-9-0", "video_uri": "https://cdn.example.com/clips/match.mp4",
                   "prompt": "What is it?", "response": "sport, outdoor"}


def test_label_studio_bad_export_reports_each_task_with_its_place_and_converts_the_rest():
    good = json.loads(exports.label_studio_export([("match.mp4", [(1, 50, "goal")])]))[0]
    tasks = [
        good,
        {"id": 2, "data": {"video": "/data/upload/3/0000abcd-missing.mp4"}, "annotations": [{"result": []}]},
        {"id": 3, "data": {"text": "no video"}, "annotations": [{"result": []}]},
        {"id": 4, "data": {"video": "/data/upload/3/00000001-match.mp4"}, "annotations": []},
        {"id": 5, "data": {"video": "/data/upload/3/00000001-match.mp4"}, "annotations": [
            {"id": 8, "was_cancelled": True, "result": []},
            {"id": 9, "result": [{"type": "timelinelabels", "value": {"ranges": [{"start": 0, "end": 5}],
                                                                      "timelinelabels": ["x"]}}]},
            {"id": 10, "result": [{"type": "timelinelabels", "value": {"timelinelabels": ["x"]}}]},
            {"id": 11, "result": [{"type": "videorectangle", "value": {"sequence": []}},
                                  {"type": "timelinelabels", "value": {"ranges": [{"start": 3, "end": 9}],
                                                                       "timelinelabels": ["y"]}}]}]},
    ]
    out = label_studio.convert(json.dumps(tasks).encode(), "export.json", _settings())
    assert [r["id"] for r in out.rows] == ["label-studio-101-0", "label-studio-5-3"]
    errors = _errors(out)
    assert len(errors) == 7
    assert errors[0].startswith("export.json: [1] task 2: unknown video '/data/upload/3/0000abcd-missing.mp4'")
    assert "names no video" in errors[1] and "[2] task 3" in errors[1]
    assert "no `annotations`" in errors[2]
    assert "annotations[0] (id 8)" in errors[3] and "was_cancelled" in errors[3]
    assert "annotations[1] (id 9) result[0]" in errors[4] and "whole numbers from 1" in errors[4]
    assert "annotations[2] (id 10) result[0]" in errors[5] and "value.ranges" in errors[5]
    assert "result[0]" in errors[6] and "`videorectangle` result is not converted" in errors[6]
    assert label_studio.convert(b"{not json", "e.json", _settings()).errors[0].place == "e.json"


def test_cvat_tracks_become_frame_spans_on_the_tasks_frames():
    data = exports.cvat_video_export("lecture.mkv", size=50, start_frame=10, step=2,
                                     tracks=[(20, 40, "person"), (30, 30, "car")])
    assert b'<frame_filter>step=2</frame_filter>' in data and b'outside="1"' in data
    out = cvat_video.convert(data, "annotations.xml", _settings())
    assert _errors(out) == []
    (row,) = out.rows
    assert row["id"] == "cvat-task-7" and row["video_uri"] == f"{ROOT}/lecture.mkv"
    assert row["annotations"] == [{"start_frame": 20, "end_frame": 40, "label": "person"},
                                  {"start_frame": 30, "end_frame": 30, "label": "car"}]


def test_cvat_track_that_leaves_and_comes_back_is_two_spans_and_keeps_constant_attributes():
    xml = exports.cvat_video_export("match.mp4", size=100, tracks=[]).decode()
    track = ('<track id="0" label="ball" source="manual">'
             '<box frame="5" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2" z_order="0">'
             '<attribute name="colour">red</attribute><attribute name="speed">1</attribute></box>'
             '<box frame="9" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2" z_order="0">'
             '<attribute name="colour">red</attribute><attribute name="speed">2</attribute></box>'
             '<box frame="12" keyframe="1" outside="1" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2" z_order="0"/>'
             '<box frame="50" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2" z_order="0"/>'
             '</track><tag label="whistle" frame="70" source="manual"></tag>')
    out = cvat_video.convert(xml.replace("</annotations>", track + "</annotations>").encode(), "a.xml", _settings())
    assert out.rows[0]["annotations"] == [
        {"start_frame": 5, "end_frame": 11, "label": "ball", "colour": "red"},  # interpolated up to the outside
        {"start_frame": 50, "end_frame": 99, "label": "ball"},                  # on to the task's last frame
        {"start_frame": 70, "end_frame": 70, "label": "whistle"}]


@pytest.mark.parametrize("edit, words", [
    (lambda x: x.replace('<box frame="12"', '<box frame="13"', 1), "frame 13 is not a frame of the task"),
    (lambda x: x.replace('<box frame="12"', '<box frame="1000"', 1), "frame 1000 is not a frame of the task"),
    (lambda x: x.replace(' label="person"', "", 1), "has no `label`"),
    (lambda x: x.replace('<box frame="12"', "<box", 1), "has no `frame`"),
])
def test_cvat_bad_track_fails_its_task_with_the_place(edit, words):
    data = exports.cvat_video_export("match.mp4", size=100, start_frame=0, step=2, tracks=[(4, 10, "person")])
    out = cvat_video.convert(edit(data.decode()).encode(), "a.xml", _settings())
    assert out.rows == []
    assert words in out.errors[0].detail and out.errors[0].place.startswith('a.xml: <track id="0"')
    assert "task 7" in out.errors[1].place and "left out" in out.errors[1].detail


def test_cvat_unknown_video_and_non_xml_are_reported():
    out = cvat_video.convert(exports.cvat_video_export("nowhere.mp4", 10, [(0, 3, "a")]), "a.xml", _settings())
    assert out.rows == [] and "unknown video 'nowhere.mp4'" in out.errors[0].detail
    assert "not a CVAT XML" in cvat_video.convert(b"<html/>", "a.xml", _settings()).errors[0].detail
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxx">]><annotations>&x;</annotations>'
    assert "not a CVAT XML" in cvat_video.convert(bomb, "a.xml", _settings()).errors[0].detail


def test_activitynet_sentences_and_bad_entries():
    data = json.loads(exports.activitynet_json({"v_abc123": (20.0, [(0.5, 3.0, "A man talks."), (4, 9, "He runs.")])}))
    data["v_missing"] = {"duration": 3, "timestamps": [[0, 1]], "sentences": ["x"]}
    data["v_abc123_b"] = {"duration": 3, "timestamps": [[2, 1]], "sentences": ["backwards"]}
    data["v_x"] = {"duration": 3, "timestamps": [[0, 1]]}
    out = activitynet.convert(json.dumps(data).encode(), "train.json", _settings())
    assert [r["id"] for r in out.rows] == ["activitynet-v_abc123"]
    assert out.rows[0]["annotations"][1] == {"start": 4.0, "end": 9.0, "text": "He runs."}
    assert [e.place for e in out.errors] == ["train.json: video 'v_missing'",
                                             "train.json: video 'v_abc123_b' timestamps[0]",
                                             "train.json: video 'v_x'"]
    assert "ends (1.0s) before it starts (2.0s)" in out.errors[1].detail and "sentences" in out.errors[2].detail


def test_youcook2_keeps_the_split_and_finds_the_datasets_folder_layout():
    data = json.loads(exports.youcook2_json({"GLGh_9UJvNo": ("training", "113", 30.0, [(2, 5, "melt butter")])}))
    data["database"]["testvid"] = {"subset": "testing", "recipe_type": "1", "duration": 9}
    data["database"]["GLGh_9UJvNo_bad"] = {"subset": "validation", "recipe_type": "113",
                                           "annotations": [{"segment": [1], "sentence": "x"}]}
    out = youcook2.convert(json.dumps(data).encode(), "yc2.json", _settings())
    (row,) = out.rows
    assert row["split"] == "train" and row["video_uri"] == f"{ROOT}/training/113/GLGh_9UJvNo.mp4"
    assert "test annotations are not public" in out.errors[0].detail
    assert out.errors[1].place == "yc2.json: database 'GLGh_9UJvNo_bad' annotations[0]"


def test_charades_sta_groups_lines_by_video_and_a_bad_line_fails_only_its_video():
    data = exports.charades_sta_lines({"AO8RW": [(0.0, 6.9, "a person puts a book away"), (8, 12, "they sit")]})
    data += b"AO8RW 3.0##no end\nZZZZZ 1.0 2.0##unknown video\n"
    out = charades_sta.convert(data, "sta.txt", _settings())
    assert out.rows == []  # AO8RW has a bad line: its row would lose that moment
    assert [e.place for e in out.errors] == ["sta.txt:3", "sta.txt: video 'AO8RW'", "sta.txt:4 video 'ZZZZZ'"]
    good = charades_sta.convert(data.split(b"AO8RW 3.0")[0], "sta.txt", _settings())
    assert good.rows[0]["annotations"][0] == {"start": 0.0, "end": 6.9, "text": "a person puts a book away"}


def test_srt_cues_become_text_annotations_found_by_the_subtitle_stem():
    data = exports.srt_file([(1.5, 3.25, "Hello <i>there</i>"), (4, 6, "Second\nline &amp; more")])
    out = srt.convert(data, "subs/talk.en.srt", "talk.en.srt", _settings())
    assert _errors(out) == []
    assert out.rows[0]["video_uri"] == f"{ROOT}/talk.mp4" and out.rows[0]["id"] == "srt-talk.en"
    assert out.rows[0]["annotations"] == [{"start": 1.5, "end": 3.25, "text": "Hello there"},
                                          {"start": 4.0, "end": 6.0, "text": "Second\nline & more"}]


def test_srt_broken_timing_line_is_an_error_with_its_line_not_a_merged_cue():
    data = exports.srt_file([(1, 2, "one"), (3, 4, "two")]).replace(b"00:00:03,000", b"00:00:xx,000")
    out = srt.convert(data, "talk.srt", "talk.srt", _settings())
    assert out.rows == [] and out.errors[0].place == "talk.srt:6" and "timing line" in out.errors[0].detail


def test_webvtt_cues_skip_notes_and_keep_the_voice():
    data = exports.webvtt_file([(0.5, 2.0, "Hi"), (61, 62.5, "Later")], speaker="Ann")
    out = webvtt.convert(data, "talk2.vtt", "talk2.vtt", _settings())
    assert _errors(out) == []
    assert out.rows[0]["video_uri"] == f"{ROOT}/other/talk2.webm"
    assert out.rows[0]["annotations"][1] == {"start": 61.0, "end": 62.5, "text": "Later", "speaker": "Ann"}


def test_webvtt_without_header_or_with_a_bad_cue_is_reported():
    assert "starts with the line `WEBVTT`" in webvtt.convert(b"hello\n", "a.vtt", "a.vtt", _settings()).errors[0].detail
    data = exports.webvtt_file([(0.5, 2.0, "Hi")]).replace(b"00:00:02.000", b"00:00:01.000")
    out = webvtt.convert(data.replace(b"00:00:00.500", b"00:00:03.000"), "t.vtt", "talk.vtt", _settings())
    assert out.errors[0].place == "t.vtt:6" and "ends (1.0s) before it starts (3.0s)" in out.errors[0].detail


def test_video_index_csv_mapping_wins_and_ambiguous_names_say_so():
    index = VideoIndex(ROOT, FILES + [f"{ROOT}/b/match.mp4"], )
    assert index.find(["match.mp4"]) == f"{ROOT}/match.mp4"  # its path first
    assert "matches several files" in index.find(["c/match.mp4"]).detail
    mapped = VideoIndex(mapping={"match.mp4": "gs://bucket/match.mp4"})
    assert mapped.find(["/data/upload/1/abc-match.mp4", "match.mp4"], as_is=False) == "gs://bucket/match.mp4"
    assert mapped.find(["gs://other/x.mp4"]) == "gs://other/x.mp4"  # a URI is used as it is


def test_cvat_project_export_takes_each_tasks_frame_offset_off():
    def task(task_id, source, size):
        return (f"<task><id>{task_id}</id><name>t{task_id}</name><size>{size}</size><mode>interpolation</mode>"
                f"<subset>default</subset><start_frame>0</start_frame><stop_frame>{size - 1}</stop_frame>"
                f"<frame_filter></frame_filter><source>{source}</source></task>")
    # ProjectData.abs_frame_id: the second task's frames come after the first task's 100.
    xml = ("<annotations><version>1.1</version><meta><project><id>1</id><tasks>"
           + task(3, "match.mp4", 100) + task(4, "talk.mp4", 50) + "</tasks></project></meta>"
           '<track id="0" label="a" source="manual" task_id="3" subset="default">'
           '<box frame="10" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2"/>'
           '<box frame="20" keyframe="1" outside="1" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2"/></track>'
           '<track id="1" label="b" source="manual" task_id="4" subset="default">'
           '<box frame="105" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2"/>'
           '<box frame="110" keyframe="1" outside="1" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2"/></track>'
           "</annotations>")
    out = cvat_video.convert(xml.encode(), "project.xml", _settings())
    assert _errors(out) == []
    assert [(r["video_uri"], r["annotations"]) for r in out.rows] == [
        (f"{ROOT}/match.mp4", [{"start_frame": 10, "end_frame": 19, "label": "a"}]),
        (f"{ROOT}/talk.mp4", [{"start_frame": 5, "end_frame": 9, "label": "b"}])]


def test_cvat_job_export_is_looked_up_as_job_id():
    xml = exports.cvat_video_export("x.mp4", 20, [(2, 5, "a")]).decode()
    xml = xml.replace("<task>", "<job>").replace("</task>", "</job>").replace("<source>x.mp4</source>", "")
    xml = xml.replace("<name>task x.mp4</name>", "")
    settings = Settings(videos=VideoIndex(mapping={"job-7": "/v/job7.mp4"}))
    assert cvat_video.convert(xml.encode(), "job.xml", settings).rows[0]["video_uri"] == "/v/job7.mp4"


def test_label_studio_local_storage_path_is_looked_up_by_its_d_parameter():
    data = json.dumps([{"id": 4, "data": {"video": "/data/local-files/?d=training/113/GLGh_9UJvNo.mp4"},
                        "annotations": [{"id": 1, "result": [{"type": "timelinelabels", "value": {
                            "ranges": [{"start": 25, "end": 48}], "timelinelabels": ["stir"]}}]}]}]).encode()
    (row,) = label_studio.convert(data, "e.json", _settings(frame_rate=24)).rows
    assert row["video_uri"] == f"{ROOT}/training/113/GLGh_9UJvNo.mp4"
    assert row["annotations"] == [{"start": 1.0, "end": 2.0, "label": "stir"}]
