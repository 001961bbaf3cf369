"""Thumbnails are the written clip's frames at the asked times: checked by their pixels."""
from __future__ import annotations

import os

import av
import numpy as np
import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.media_checks import colour_name
from transforms.report.strips import Shot, Strip
from transforms.report.thumbnails import HEIGHT, clip_candidates, grab_frames, thumbnails
from transforms.report.timelines import Bar


def _colour(jpeg: bytes, tmp_path) -> str:
    path = os.path.join(tmp_path, "frame.jpg")
    with open(path, "wb") as handle:
        handle.write(jpeg)
    with av.open(path) as container:
        frame = next(container.decode(video=0))
        rgb = frame.to_ndarray(format="rgb24")
    h, w, _ = rgb.shape
    assert h == HEIGHT
    return colour_name(rgb[h // 4: 3 * h // 4, w // 4: 3 * w // 4].reshape(-1, 3).mean(axis=0).astype(np.float64))


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> str:
    spec = VideoSpec(name="events.mp4", seconds=10, events=(Event(2, 4, "red"), Event(6, 8, "blue")))
    return make_video(str(tmp_path_factory.mktemp("thumbs")), spec)


def test_frames_at_the_asked_times_0_6_s_inside_and_0_7_s_outside(video, tmp_path):
    times = [2.6, 1.3, 3.4, 4.7, 6.6, 5.3, 7.4, 8.7]
    frames = grab_frames(video, times)
    assert [_colour(f, tmp_path) for f in frames] == [
        "red", "background", "red", "background", "blue", "background", "blue", "background"]
    assert all(len(f) < 8_000 for f in frames)  # small enough to embed hundreds


def test_a_time_past_the_end_costs_its_own_frame_only(video, tmp_path):
    inside, past = grab_frames(video, [2.6, 60.0])
    assert _colour(inside, tmp_path) == "red" and past is None


def test_a_file_that_is_no_video_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(RuntimeError, match="could not take thumbnails"):
        grab_frames(str(bad), [1.0])


def test_clip_candidates_look_under_the_outputs_media_when_the_uri_is_a_prefix():
    # The output's own copy first: the prefix may not exist yet, or be out of reach.
    assert clip_candidates("gs://up/ds/media/a-1.mp4", "/out") == [
        "/out/media/a-1.mp4", "gs://up/ds/media/a-1.mp4"]
    assert clip_candidates("gs://up/media/a.mp4", "gs://b/out/runs/r1") == [
        "gs://b/out/runs/r1/media/a.mp4", "gs://b/out/media/a.mp4", "gs://up/media/a.mp4"]
    assert clip_candidates("/data/clip.mp4", "/out") == ["/data/clip.mp4"]
    # The report is written in the staging folder before publishing: the clips are OUTPUT's.
    assert clip_candidates("gs://up/media/a.mp4", "/out/_incoming") == [
        "/out/_incoming/media/a.mp4", "/out/media/a.mp4", "gs://up/media/a.mp4"]


def test_a_clip_that_cannot_be_asked_for_is_a_problem_not_a_crash():
    # A fileUri out of this machine's reach (here a scheme no filesystem serves) costs that
    # clip its thumbnails; the report is still written and says why.
    shot = Shot(label="red", start=0.5, end=1.5, at=1.0, edge=False, bar=Bar(start=0.5, end=1.5, x=10.0, w=20.0))
    strip = Strip(key="r1#0", row_id="r1", clip_index=0, clip_count=1, split="train", source_uri="/data/a.mp4",
                  file_uri="zz://elsewhere/clip.mp4", duration=5.0, action="remux", seek_offset=0.0,
                  shots=(shot,), shots_hidden=0, has_edge=False, free_text=False)
    pictures, problems = thumbnails([strip], "/nowhere")
    assert pictures == {}
    assert len(problems) == 1 and "clip not found: zz://elsewhere/clip.mp4" in problems[0]
    assert "could not ask zz://elsewhere/clip.mp4: ValueError" in problems[0]
