"""Frame numbers to times: run-length frame timestamps, and the plan stage's conversion."""
from __future__ import annotations

import pytest

from transforms.core.frames import (encode_runs, frame_count, frame_end, frame_time, frame_times_from_probe,
                                    resolve_row, resolve_rows, without_frame_times)
from transforms.core.manifest import parse_row
from transforms.core.types import Drop, DropReason, FrameTimes, VideoInfo


def _vfr_times() -> FrameTimes:
    # 10 frames at 5 fps, then 30 at 30 fps (time base 1/90000), the first frame at pts 9000.
    pts = [9000 + i * 18000 for i in range(10)] + [9000 + 180000 + i * 3000 for i in range(30)]
    raw = {"frame_times": {"time_base": [1, 90000], "first_pts": min(pts), "runs": encode_runs(pts)},
           "video_start": 0.1, "duration": 3.0}
    return frame_times_from_probe(raw)


def _info(times: FrameTimes | None) -> VideoInfo:
    return VideoInfo(uri="/v.mp4", size_bytes=1, container="mp4", duration=3.0, video_codec="h264", width=2,
                     height=2, fps=13.3, rotation=0, has_audio=False, audio_codec="", input_offset=0.0,
                     frame_times=times)


def _row(annotations, **extra):
    row = parse_row({"id": "r", "video_uri": "/v.mp4", "prompt": "p", "annotations": annotations, **extra},
                    "m.jsonl:1", "/")
    assert not isinstance(row, Drop), row
    return row


def test_runs_encode_a_constant_rate_as_one_run_and_sort_the_packets():
    assert encode_runs([0, 512, 1024, 1536]) == [[512, 3]]
    assert encode_runs([1024, 0, 512]) == [[512, 2]]  # demux (decode) order is not display order
    assert encode_runs([0, 10, 20, 25, 30]) == [[10, 2], [5, 2]]
    assert encode_runs([7]) == []


def test_frame_times_follow_the_real_timestamps_of_a_variable_rate_video():
    times = _vfr_times()
    assert frame_count(times) == 40
    assert frame_time(times, 0) == 0.0            # the timeline counts from the first frame
    assert frame_time(times, 9) == pytest.approx(1.8)
    assert frame_time(times, 10) == pytest.approx(2.0)
    assert frame_time(times, 25) == pytest.approx(2.5)   # 15 frames at 30 fps after 2.0 s
    assert 25 / 13.3 == pytest.approx(1.88, abs=0.01)    # what frames / nominal fps would say
    assert frame_end(times, 9) == pytest.approx(2.0)     # a frame lasts until the next one
    assert frame_end(times, 39) == 3.0                   # the last until the video's end
    with pytest.raises(IndexError):
        frame_time(times, 40)


def test_a_row_in_frames_becomes_times_and_keeps_its_fields():
    row = _row([{"start_frame": 10, "end_frame": 24, "label": "red"}, {"start": 0.5, "label": "t"}])
    assert row.uses_frames and row.annotations[0].fields == {"label": "red"}
    resolved = resolve_row(row, _info(_vfr_times()))
    first, second = resolved.annotations
    assert (first.start, first.end, first.fields) == (pytest.approx(2.0), pytest.approx(2.5), {"label": "red"})
    assert not first.uses_frames and not resolved.uses_frames
    assert (second.start, second.fields) == (0.5, {"label": "t"})


def test_a_frame_past_the_last_is_a_drop_with_the_frame_count():
    row = _row([{"start_frame": 5, "end_frame": 40}])
    drop = resolve_row(row, _info(_vfr_times()))
    assert isinstance(drop, Drop) and drop.reason is DropReason.FRAME_OUT_OF_RANGE
    assert drop.stage.value == "plan" and "end_frame` 40" in drop.detail and "(39; 40 frames" in drop.detail
    assert drop.location == "m.jsonl:1"


def test_frames_outside_the_rows_segment_are_a_drop():
    row = _row([{"start_frame": 0, "end_frame": 5}], start=1.0)
    drop = resolve_row(row, _info(_vfr_times()))
    assert isinstance(drop, Drop) and drop.reason is DropReason.ANNOTATION_OUT_OF_RANGE


def test_resolve_rows_splits_kept_and_dropped_and_rows_in_times_pass_untouched():
    in_times = _row([{"start": 1, "end": 2}])
    kept, drops = resolve_rows(_info(_vfr_times()), [in_times, _row([{"start_frame": 99}])])
    assert kept == [in_times] and [d.reason for d in drops] == [DropReason.FRAME_OUT_OF_RANGE]
    assert resolve_row(in_times, _info(None)) is in_times  # no frame times needed


def test_the_planner_gets_the_source_without_its_frame_times():
    info = _info(_vfr_times())
    assert without_frame_times(info).frame_times is None and without_frame_times(info).uri == info.uri
