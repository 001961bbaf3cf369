"""PlanClips on a real Beam runner with rows in frame numbers: timed rows planned, frames past the end dropped."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.core.budget import BudgetSettings
from transforms.core.frames import encode_runs
from transforms.core.manifest import parse_row
from transforms.core.types import FrameTimes, VideoInfo
from transforms.stages.plan import PlanClips

# 10 s at 5 fps, then 2 s at 25 fps (time base 1/1000): frame 60 is at 10.4 s, not 60 / 8.3 fps = 7.2 s.
PTS = [i * 200 for i in range(50)] + [10000 + i * 40 for i in range(50)]
TIMES = FrameTimes(time_base=(1, 1000), first_pts=0, runs=tuple(tuple(r) for r in encode_runs(PTS)),
                   origin=0.0, end=12.0)
INFO = VideoInfo(uri="/v/phone.mp4", size_bytes=1_000_000, container="mp4", duration=12.0, video_codec="h264",
                 width=320, height=240, fps=8.3, rotation=0, has_audio=False, audio_codec="", input_offset=0.0,
                 keyframes=(0.0, 4.0, 8.0), identity="1-1", frame_times=TIMES)


def _row(row_id, annotation):
    return parse_row({"id": row_id, "video_uri": INFO.uri, "prompt": "p", "annotations": [annotation]},
                     f"m.jsonl:{row_id}", "/")


def test_rows_in_frames_are_planned_with_their_real_times_and_a_frame_past_the_end_is_a_drop():
    rows = [_row("ok", {"start_frame": 60, "end_frame": 74, "label": "car"}),
            _row("past", {"start_frame": 90, "end_frame": 100, "label": "car"})]
    with TestPipeline(options=beam.options.pipeline_options.PipelineOptions(
            ["--runner=DirectRunner", "--direct_running_mode=in_memory"])) as p:
        out = p | beam.Create([(INFO, rows)]) | PlanClips(BudgetSettings())
        assert_that(out.rows | "Times" >> beam.Map(
            lambda kv: (kv[1].row.row_id, [(a.start, a.end, a.fields) for a in kv[1].row.annotations])),
            equal_to([("ok", [(10.4, 11.0, {"label": "car"})])]), label="rows")
        assert_that(out.drops | "Reasons" >> beam.Map(lambda d: (d.row_id, d.stage.value, d.reason.value)),
                    equal_to([("past", "plan", "frame_out_of_range")]), label="drops")
        # The clips carry no frame times: they would ride along into every clip of a long video.
        assert_that(out.clips | "Lean" >> beam.Map(lambda c: c.source.frame_times), equal_to([None]), label="clips")
