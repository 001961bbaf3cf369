"""The planner under --oversize transcode|split|drop and a row's own `oversize`."""
import dataclasses

from transforms.core.budget import BudgetSettings, plan_with_budget
from transforms.core.planner import plan_video
from transforms.core.types import Action, Annotation, DropReason, ManifestRow, VideoInfo
from transforms.gemini.limits import default_limits

MEDIUM = default_limits("MEDIUM")  # 100 MB, 299 s planned
SPLIT = dataclasses.replace(MEDIUM, oversize="split")
DROP = dataclasses.replace(MEDIUM, oversize="drop")


def big(**changes) -> VideoInfo:
    """24 s at 60 Mb/s (180 MB), keyframes every 2 s with their byte counts: the demo's big file."""
    keyframes = tuple(float(k) for k in range(0, 24, 2))
    per_gop = 14_000_000
    fields = dict(uri="/videos/big.mp4", size_bytes=12 * per_gop + 2_000_000, container="mp4", duration=24.0,
                  video_codec="h264", width=1920, height=1080, fps=25.0, rotation=0, has_audio=True,
                  audio_codec="aac", input_offset=0.0, keyframes=keyframes,
                  keyframe_bytes=tuple(i * per_gop for i in range(12)), video_bytes=12 * per_gop,
                  identity="180:1")
    fields.update(changes)
    return VideoInfo(**fields)


def row(row_id="r1", oversize=None, annotations=(Annotation(start=3.0, end=6.0, fields={"label": "red"}),),
        response=None):
    return ManifestRow(row_id=row_id, video_uri="/videos/big.mp4", prompt="p", annotations=annotations,
                       response=response, location=f"m.jsonl:{row_id}", oversize=oversize)


def test_transcode_is_the_default():
    plan = plan_video(big(), [row()], MEDIUM)
    assert [c.action for c in plan.clips] == [Action.TRANSCODE]
    assert plan.clips[0].note == ""


def test_split_makes_stream_copied_pieces_under_both_limits_on_keyframes():
    info = big()
    plan = plan_video(info, [row()], SPLIT)
    assert plan.drops == ()
    assert {c.action for c in plan.clips} == {Action.CUT}
    assert len(plan.clips) == 2  # 170 MB under 95 MB pieces
    assert plan.clips[0].start == 0.0 and plan.clips[-1].end == 24.0
    for a, b in zip(plan.clips, plan.clips[1:]):
        assert a.end == b.start and b.start in info.keyframes
    per_second = (info.size_bytes - info.video_bytes) / info.duration
    for c in plan.clips:
        video_bytes = (info.keyframe_bytes[info.keyframes.index(c.end)] if c.end in info.keyframes
                       else info.video_bytes) - info.keyframe_bytes[info.keyframes.index(c.start)]
        assert video_bytes + per_second * (c.end - c.start) <= 95_000_000
        assert c.source.keyframe_bytes == () and c.source.keyframes == ()  # stripped for the cut
    assert plan.rows[0].clip_count == 2


def test_split_falls_back_to_transcode_when_one_group_of_pictures_is_too_big_and_says_why():
    info = big(keyframes=(0.0, 12.0), keyframe_bytes=(0, 10_000_000), video_bytes=168_000_000)
    plan = plan_video(info, [row()], SPLIT)
    assert {c.action for c in plan.clips} == {Action.TRANSCODE}
    assert all(c.note.startswith("--oversize split fell back to transcode: keyframes too sparse") for c in plan.clips)


def test_split_falls_back_to_transcode_for_a_codec_mp4_cannot_carry():
    plan = plan_video(big(video_codec="mpeg4", container="avi"), [row()], SPLIT)
    assert {c.action for c in plan.clips} == {Action.TRANSCODE}
    assert "mpeg4 cannot be stream-copied" in plan.clips[0].note


def test_split_leaves_a_source_under_the_limit_alone():
    small = big(size_bytes=50_000_000, keyframe_bytes=tuple(i * 4_000_000 for i in range(12)), video_bytes=48_000_000)
    assert [c.action for c in plan_video(small, [row()], SPLIT).clips] == [Action.COPY]


def test_split_drops_a_fixed_response_that_would_need_several_pieces_and_says_how_to_fix_it():
    plan = plan_video(big(), [row(annotations=None, response="A test pattern.")], SPLIT)
    (drop,) = plan.drops
    assert drop.reason is DropReason.TOO_LONG_FOR_RESPONSE and "oversize: transcode" in drop.detail
    assert plan.clips == ()


def test_drop_mode_drops_every_row_of_an_oversize_source_with_the_reason():
    plan = plan_video(big(), [row("a"), row("b")], DROP)
    assert plan.clips == () and plan.rows == ()
    assert [(d.row_id, d.reason, d.stage.value) for d in plan.drops] == [
        ("a", DropReason.OVER_SIZE_LIMIT, "plan"), ("b", DropReason.OVER_SIZE_LIMIT, "plan")]
    assert "170.0 MB" in plan.drops[0].detail and "--oversize split" in plan.drops[0].detail


def test_drop_mode_keeps_a_source_under_the_limit():
    small = big(size_bytes=50_000_000)
    plan = plan_video(small, [row()], DROP)
    assert plan.drops == () and [c.action for c in plan.clips] == [Action.COPY]


def test_drop_mode_judges_a_long_video_by_its_clips_not_its_file():
    # 3000 s, 300 MB: 299 s clips of it are ~30 MB, under the limit: stream-copied, not dropped.
    long = big(duration=3000.0, size_bytes=300_000_000, keyframes=tuple(float(k) for k in range(0, 3000, 2)),
               keyframe_bytes=(), video_bytes=0)
    plan = plan_video(long, [row()], DROP)
    assert plan.drops == () and {c.action for c in plan.clips} == {Action.CUT}


def test_a_rows_own_oversize_wins_and_gets_its_own_clips():
    plan = plan_video(big(), [row("t"), row("s", oversize="split"), row("d", oversize="drop")], MEDIUM)
    assert [d.row_id for d in plan.drops] == ["d"]
    by_row = {p.row.row_id: p for p in plan.rows}
    assert by_row["t"].row.segment_key != by_row["s"].row.segment_key
    actions = {}
    for c in plan.clips:
        actions.setdefault(c.segment_key, set()).add(c.action)
    assert actions[by_row["t"].row.segment_key] == {Action.TRANSCODE}
    assert actions[by_row["s"].row.segment_key] == {Action.CUT}


def test_a_rows_oversize_that_repeats_the_flag_shares_the_clips():
    plan = plan_video(big(), [row("a"), row("b", oversize="split")], SPLIT)
    assert len({p.row.segment_key for p in plan.rows}) == 1
    assert all(p.row.oversize is None for p in plan.rows)


def test_the_budget_wrapper_passes_the_mode_on():
    settings = BudgetSettings(media_resolution="MEDIUM", oversize="split")
    plan = plan_with_budget(big(), [row()], settings)
    assert {c.action for c in plan.clips} == {Action.CUT}
    assert plan_with_budget(big(), [row()], dataclasses.replace(settings, oversize="drop")).drops[0].reason \
        is DropReason.OVER_SIZE_LIMIT


def test_max_output_fps_sets_the_transcodes_frame_rate_cap():
    settings = BudgetSettings(media_resolution="MEDIUM", max_output_fps=8.0)
    (clip,) = plan_with_budget(big(), [row()], settings).clips
    assert clip.transcode.fps_cap == 8.0
    (default,) = plan_with_budget(big(), [row()], BudgetSettings(media_resolution="MEDIUM")).clips
    assert default.transcode.fps_cap is None and default.media_name != clip.media_name


def test_max_output_fps_never_goes_below_twice_a_rows_own_fps():
    settings = BudgetSettings(media_resolution="MEDIUM", max_output_fps=8.0)
    repaired = row().model_copy(update={"fps": 6.0})  # a repaired line that declared videoMetadata.fps 6
    (clip,) = plan_with_budget(big(), [repaired], settings).clips
    assert clip.transcode.fps_cap == 12.0
