import dataclasses
import re

import pytest

from transforms.gemini.limits import Limits, default_limits
from transforms.core.planner import check_row, media_name, plan_segment, plan_video, transcode_settings
from transforms.core.types import Action, Annotation, DropReason, ManifestRow, Stage, TranscodeSettings, VideoInfo

LOW = default_limits("LOW")          # planned clip length 1199 s
MEDIUM = default_limits("MEDIUM")    # planned clip length 299 s


def every(step, duration):
    n = int(duration // step) + 1
    return tuple(float(step * i) for i in range(n) if step * i < duration)


def video(**changes) -> VideoInfo:
    fields = dict(uri="/videos/match.mp4", size_bytes=30_000_000, container="mp4", duration=600.0,
                  video_codec="h264", width=1920, height=1080, fps=30.0, rotation=0, has_audio=True,
                  audio_codec="aac", input_offset=0.0, keyframes=every(2, 600), identity="30000000:1700000000")
    fields.update(changes)
    return VideoInfo(**fields)


def row(row_id="r1", uri="/videos/match.mp4", annotations=(), response=None, start=None, end=None):
    return ManifestRow(row_id=row_id, video_uri=uri, prompt="p", annotations=annotations,
                       response=response, start=start, end=end, location=f"m.jsonl:{row_id}")


def response_row(**kw):
    return row(annotations=None, response="A match.", **kw)


def bounds_of(clips):
    return [clips[0].start] + [c.end for c in clips]


def assert_well_formed(clips, limits):
    assert [c.clip_index for c in clips] == list(range(len(clips)))
    assert all(c.clip_count == len(clips) for c in clips)
    for a, b in zip(clips, clips[1:]):
        assert a.end == b.start                       # contiguous
    for c in clips:
        assert c.end - c.start <= limits.planned_clip_seconds + 1e-6
        assert c.source.keyframes == ()               # stripped for the cut


def fits(settings: TranscodeSettings, seconds: float, limits: Limits) -> bool:
    return (settings.video_bitrate + settings.audio_bitrate) * seconds / 8 < limits.max_file_bytes


# ---------------------------------------------------------------- the cheapest action

def test_compliant_mp4_is_copied_as_one_clip():
    r = row()
    plan = plan_video(video(), [r], LOW)
    assert plan.drops == ()
    (clip,) = plan.clips
    assert (clip.action, clip.start, clip.end, clip.clip_index, clip.clip_count) == (Action.COPY, 0.0, 600.0, 0, 1)
    assert clip.segment_key == r.segment_key
    assert clip.clip_key == r.segment_key + "#0"
    assert clip.source.keyframes == ()
    assert re.fullmatch(r"match-[0-9a-f]{16}\.mp4", clip.media_name)
    (rp,) = plan.rows
    assert (rp.row, rp.clip_count, rp.has_audio) == (r, 1, True)


def test_copy_keeps_the_source_extension():
    info = video(uri="/videos/Holiday.MOV", container="quicktime")
    (clip,) = plan_video(info, [row(uri=info.uri)], LOW).clips
    assert clip.action is Action.COPY
    assert re.fullmatch(r"Holiday-[0-9a-f]{16}\.mov", clip.media_name)


@pytest.mark.parametrize("changes", [
    dict(uri="/videos/match.webm", container="webm", video_codec="vp8", audio_codec="vorbis"),
    dict(uri="/videos/match.3gp", container="3gpp"),
    dict(has_audio=False, audio_codec=""),
])
def test_other_accepted_sources_are_copied(changes):
    info = video(**changes)
    (clip,) = plan_video(info, [row(uri=info.uri)], LOW).clips
    assert clip.action is Action.COPY


@pytest.mark.parametrize("changes", [
    dict(uri="/videos/match.mkv", container="matroska"),
    dict(uri="/videos/match.avi", container="avi"),
    dict(audio_codec="pcm_s16le"),                    # audio the service refuses: re-muxed (audio re-encoded)
])
def test_copyable_streams_in_other_containers_are_remuxed(changes):
    info = video(**changes)
    (clip,) = plan_video(info, [row(uri=info.uri)], LOW).clips
    assert (clip.action, clip.start, clip.end) == (Action.REMUX, 0.0, 600.0)
    assert clip.media_name.endswith(".mp4")


def test_long_h264_is_cut_on_keyframes():
    keyframes = every(7, 3000)                        # 0, 7, ..., 2996
    info = video(duration=3000.0, size_bytes=150_000_000, keyframes=keyframes)
    plan = plan_video(info, [row()], LOW)
    clips = plan.clips
    assert all(c.action is Action.CUT for c in clips)
    # 3 pieces aimed at 1000 s: keyframes 1001 (=7*143), then 1001+1999/2=2000.5 -> 2002 (=7*286)
    assert bounds_of(clips) == [0.0, 1001.0, 2002.0, 3000.0]
    assert_well_formed(clips, LOW)
    assert all(c.start in keyframes for c in clips)
    assert plan.rows[0].clip_count == 3


def test_over_size_is_transcoded_to_fit():
    info = video(size_bytes=500_000_000)             # 5 MB/s: 600 s is 500 MB
    (clip,) = plan_video(info, [row()], LOW).clips
    assert (clip.action, clip.start, clip.end) == (Action.TRANSCODE, 0.0, 600.0)
    s = clip.transcode
    # budget 100e6*0.9*8/600 - 64000 = 1,136,000 > what 480p needs: 0.05*480*480*(16/9)*30 = 614,400
    assert (s.video_bitrate, s.audio_bitrate, s.height, s.fps_cap) == (614_400, 64_000, 480, None)
    assert fits(s, 600, LOW)
    assert clip.media_name.endswith(".mp4")


def test_long_over_size_is_transcoded_in_pieces_that_fit():
    limits = default_limits("LOW", max_file_bytes=50_000_000)
    info = video(duration=3000.0, size_bytes=900_000_000, keyframes=every(2, 3000))
    clips = plan_video(info, [row()], limits).clips
    assert all(c.action is Action.TRANSCODE for c in clips)
    assert bounds_of(clips) == [0.0, 1000.0, 2000.0, 3000.0]
    assert_well_formed(clips, limits)
    for c in clips:
        # 50e6*0.9*8/1000 - 64000 = 296,000 b/s; 360p needs 345,600, 240p needs 153,600
        assert (c.transcode.video_bitrate, c.transcode.height) == (296_000, 240)
        assert fits(c.transcode, c.end - c.start, limits)
        assert c.transcode.height <= limits.max_height


@pytest.mark.parametrize("changes", [
    dict(uri="/videos/match.avi", container="avi", video_codec="mpeg4", audio_codec="mp3"),
    dict(video_codec="mpeg4"),
    dict(uri="/videos/match.mkv", container="matroska", video_codec="vp8", audio_codec="vorbis"),
    dict(rotation=90),
    dict(rotation=180),
])
def test_incompatible_or_rotated_sources_are_transcoded(changes):
    info = video(duration=60.0, size_bytes=10_000_000, keyframes=every(2, 60), **changes)
    (clip,) = plan_video(info, [row(uri=info.uri)], LOW).clips
    assert (clip.action, clip.start, clip.end) == (Action.TRANSCODE, 0.0, 60.0)
    assert clip.transcode.height <= 480


def test_rotation_uses_the_displayed_picture():
    info = video(duration=60.0, size_bytes=10_000_000, rotation=90)
    s = transcode_settings(info, 60, LOW)
    # displayed 1080 wide x 1920 high: capped at 480 high, 0.05*480*480*(1080/1920)*30 = 194,400 b/s
    assert (s.height, s.video_bitrate) == (480, 194_400)


def test_sparse_keyframes_force_a_transcode():
    info = video(duration=3000.0, size_bytes=150_000_000, keyframes=(0.0, 1500.0))
    clips = plan_video(info, [row()], LOW).clips
    assert all(c.action is Action.TRANSCODE for c in clips)
    assert bounds_of(clips) == [0.0, 1000.0, 2000.0, 3000.0]


def test_no_keyframes_known_forces_a_transcode_of_a_long_video():
    info = video(duration=3000.0, size_bytes=150_000_000, keyframes=())
    assert {c.action for c in plan_video(info, [row()], LOW).clips} == {Action.TRANSCODE}


# ---------------------------------------------------------------- segments

MKV = dict(uri="/videos/match.mkv", container="matroska", duration=2000.0, size_bytes=100_000_000,
           keyframes=every(10, 2000))


@pytest.mark.parametrize("start, end, expected", [
    (95.0, 400.0, [90.0, 400.0]),                  # snapped back to the keyframe at 90
    (100.0, 400.0, [100.0, 400.0]),                # already on a keyframe
    (95.0, 1995.0, [90.0, 1050.0, 1995.0]),        # 1905 s: target 90+952.5 -> keyframe 1050
])
def test_segment_start_snaps_back_to_a_keyframe_for_cut(start, end, expected):
    info = video(**MKV)
    r = row(uri=info.uri, start=start, end=end)
    clips = plan_video(info, [r], LOW).clips
    assert all(c.action is Action.CUT for c in clips)
    assert bounds_of(clips) == expected
    assert all(c.start in info.keyframes for c in clips)
    assert all(c.segment_key == r.segment_key for c in clips)


def test_segment_of_compliant_mp4_is_cut_not_copied():
    clips = plan_video(video(), [row(start=95.0, end=400.0)], LOW).clips
    assert [(c.action, c.start, c.end) for c in clips] == [(Action.CUT, 94.0, 400.0)]


def test_transcoded_segment_starts_where_asked():
    info = video(**MKV, rotation=90)
    clips = plan_video(info, [row(uri=info.uri, start=95.0, end=400.0)], LOW).clips
    assert [(c.action, c.start, c.end) for c in clips] == [(Action.TRANSCODE, 95.0, 400.0)]


def test_segment_end_past_the_video_within_tolerance_is_clamped():
    (clip,) = plan_video(video(), [row(end=600.5)], LOW).clips
    assert (clip.action, clip.start, clip.end) == (Action.COPY, 0.0, 600.0)


def test_plan_segment_direct():
    info = video(**MKV)
    clips = plan_segment(info, "k", 0.0, 2000.0, [(990.0, 1010.0)], LOW)
    assert bounds_of(clips) == [0.0, 1010.0, 2000.0]
    assert [c.clip_key for c in clips] == ["k#0", "k#1"]


# ---------------------------------------------------------------- row checks and drops

def test_valid_row_has_no_problem():
    assert check_row(row(annotations=(Annotation(start=590.0, end=600.9),)), video(), LOW) is None


@pytest.mark.parametrize("annotation", [
    Annotation(start=590.0, end=601.5),
    Annotation(start=602.0),
])
def test_annotation_past_the_end(annotation):
    r = row(annotations=(annotation,))
    plan = plan_video(video(), [r], LOW)
    (drop,) = plan.drops
    assert (drop.reason, drop.stage, drop.row_id, drop.source_uri, drop.location) == (
        DropReason.ANNOTATION_OUT_OF_RANGE, Stage.PLAN, "r1", "/videos/match.mp4", "m.jsonl:r1")
    assert plan.clips == () and plan.rows == ()


@pytest.mark.parametrize("start, end", [(600.0, None), (650.0, 700.0), (None, 601.5), (100.0, 602.0)])
def test_segment_out_of_range(start, end):
    drop = check_row(row(start=start, end=end), video(), LOW)
    assert drop is not None and drop.reason is DropReason.SEGMENT_OUT_OF_RANGE


def test_response_row_on_too_long_video_is_dropped():
    info = video(duration=1500.0, size_bytes=75_000_000, keyframes=every(2, 1500))
    plan = plan_video(info, [response_row()], LOW)
    (drop,) = plan.drops
    assert drop.reason is DropReason.TOO_LONG_FOR_RESPONSE
    assert drop.stage is Stage.PLAN
    assert plan.clips == () and plan.rows == ()


def test_response_row_fits_at_low_but_not_at_medium():
    info = video(duration=1000.0, size_bytes=40_000_000, keyframes=every(1, 1000))
    assert plan_video(info, [response_row()], LOW).drops == ()
    assert check_row(response_row(), info, MEDIUM).reason is DropReason.TOO_LONG_FOR_RESPONSE


def test_response_row_with_a_segment_inside_the_limit():
    info = video(duration=1500.0, size_bytes=75_000_000, keyframes=every(2, 1500))
    plan = plan_video(info, [response_row(start=0.0, end=1000.0)], LOW)
    assert plan.drops == ()
    assert [(c.action, c.start, c.end) for c in plan.clips] == [(Action.CUT, 0.0, 1000.0)]


def test_response_row_too_long_once_snapped():
    # 100..1290 is 1190 s; snapped back to the keyframe at 90 it is 1200 s > 1199 s: two clips
    info = video(**dict(MKV, keyframes=every(30, 2000)))
    r = response_row(uri=info.uri, start=100.0, end=1290.0)
    assert check_row(r, info, LOW) is None
    plan = plan_video(info, [r], LOW)
    (drop,) = plan.drops
    assert drop.reason is DropReason.TOO_LONG_FOR_RESPONSE
    assert plan.clips == () and plan.rows == ()


def test_annotated_row_keeps_the_clips_a_response_row_cannot_use():
    info = video(**dict(MKV, keyframes=every(30, 2000)))
    ann = row("a", uri=info.uri, start=100.0, end=1290.0)
    resp = response_row(row_id="b", uri=info.uri, start=100.0, end=1290.0)
    plan = plan_video(info, [ann, resp], LOW)
    assert [d.row_id for d in plan.drops] == ["b"]
    assert [(p.row.row_id, p.clip_count) for p in plan.rows] == [("a", 2)]
    assert bounds_of(plan.clips) == [90.0, 690.0, 1290.0]


# ---------------------------------------------------------------- resolutions

def test_low_and_medium_chunk_the_same_video_differently():
    info = video(duration=1000.0, size_bytes=40_000_000, keyframes=every(1, 1000))
    low = plan_video(info, [row()], LOW).clips
    medium = plan_video(info, [row()], MEDIUM).clips
    assert [(c.action, c.start, c.end) for c in low] == [(Action.COPY, 0.0, 1000.0)]
    assert all(c.action is Action.CUT for c in medium)
    assert bounds_of(medium) == [0.0, 250.0, 500.0, 750.0, 1000.0]
    assert_well_formed(medium, MEDIUM)


# ---------------------------------------------------------------- shared segments

def test_rows_sharing_a_segment_share_clips():
    info = video()
    r1 = row("r1", start=0.0, end=300.0)
    r2 = row("r2", start=0.0, end=300.0, annotations=(Annotation(start=10.0, fields={"label": "x"}),))
    r3 = row("r3")
    plan = plan_video(info, [r1, r2, r3], LOW)
    assert plan.drops == ()
    by_key = {}
    for c in plan.clips:
        by_key.setdefault(c.segment_key, []).append(c)
    assert sorted(by_key) == sorted({r1.segment_key, r3.segment_key})
    assert [(c.action, c.start, c.end) for c in by_key[r1.segment_key]] == [(Action.CUT, 0.0, 300.0)]
    assert [(c.action, c.start, c.end) for c in by_key[r3.segment_key]] == [(Action.COPY, 0.0, 600.0)]
    assert sorted((p.row.row_id, p.clip_count) for p in plan.rows) == [("r1", 1), ("r2", 1), ("r3", 1)]


def test_cuts_avoid_the_annotations_of_every_row_of_a_segment():
    info = video(**MKV)
    r1 = row("r1", uri=info.uri, annotations=(Annotation(start=990.0, end=1010.0),))
    r2 = row("r2", uri=info.uri, annotations=(Annotation(start=1005.0, end=1100.0),))
    assert bounds_of(plan_video(info, [r1], LOW).clips) == [0.0, 1010.0, 2000.0]
    plan = plan_video(info, [r1, r2], LOW)
    assert bounds_of(plan.clips) == [0.0, 1100.0, 2000.0]
    assert [p.clip_count for p in plan.rows] == [2, 2]


# ---------------------------------------------------------------- transcode_settings

@pytest.mark.parametrize("changes, seconds, scale, expected", [
    # 100e6*0.9*8/1199 - 64000 = 536,500 b/s: 480p needs 614,400 -> 360p (345,600)
    (dict(), 1199, 1.0, (536_500, 64_000, 360)),
    # no audio: 600,500 b/s, still short of 480p
    (dict(has_audio=False, audio_codec=""), 1199, 1.0, (600_500, 0, 360)),
    # a retry at 0.8: 576,000 - 64,000
    (dict(), 1000, 0.8, (512_000, 64_000, 360)),
    # plenty of budget: capped at what 480p needs
    (dict(), 60, 1.0, (614_400, 64_000, 480)),
    # 60 fps keeps its rate (no --max_output_fps): 0.05*480*480*(16/9)*60
    (dict(fps=60.0), 60, 1.0, (1_228_800, 64_000, 480)),
    # unknown fps counts as 30
    (dict(fps=0.0), 60, 1.0, (614_400, 64_000, 480)),
    # 24 fps: 0.05*480*480*(16/9)*24
    (dict(fps=24.0), 60, 1.0, (491_520, 64_000, 480)),
])
def test_transcode_settings(changes, seconds, scale, expected):
    s = transcode_settings(video(**changes), seconds, LOW, scale)
    assert (s.video_bitrate, s.audio_bitrate, s.height) == expected
    assert s.fps_cap is None  # the source rate is kept unless --max_output_fps asks
    assert fits(s, seconds, LOW)


def test_transcode_bitrate_floor():
    limits = Limits(max_file_bytes=1_000_000)
    s = transcode_settings(video(), 1000, limits)
    assert s.video_bitrate == 50_000          # 7.2e6/1000 - 64000 < 0: the floor
    assert s.height == 144                    # 144p needs 55,296: none fits, the smallest is used


@pytest.mark.parametrize("width, height, limits, expected", [
    (640, 360, MEDIUM, 360),       # cap 720, but never above the 360p source
    (640, 360, LOW, 360),
    (1280, 720, MEDIUM, 720),
    (1920, 1080, MEDIUM, 720),
    (160, 120, LOW, 120),          # below every standard height: the source's own
    (176, 121, LOW, 120),          # odd heights are made even
])
def test_transcode_height_never_above_source_or_cap(width, height, limits, expected):
    s = transcode_settings(video(width=width, height=height, duration=60.0), 60, limits)
    assert s.height == expected
    assert s.height <= min(height, limits.max_height)
    assert s.height % 2 == 0


@pytest.mark.parametrize("width, height", [(640, 480), (1920, 1080)])
def test_transcode_height_at_ntsc_frame_rate(width, height):
    s = transcode_settings(video(width=width, height=height, fps=30000 / 1001, duration=60.0), 60, LOW)
    assert s.height == 480


# ---------------------------------------------------------------- a transcode's sound

def aac_source(**changes) -> VideoInfo:
    """A phone's file: 48 kHz stereo AAC; of its 30 MB over 600 s, 1.2 MB are not video (16 kb/s)."""
    fields = dict(video_bytes=28_800_000, audio_channels=2, audio_sample_rate=48_000)
    fields.update(changes)
    return video(**fields)


def test_a_transcode_from_the_first_frame_copies_aac_sound_that_costs_the_picture_nothing():
    s = transcode_settings(aac_source(), 60, LOW)
    assert s.copied_audio_bitrate == 16_000
    assert s.audio_bitrate == 64_000  # what an encode would take, for a retry that encodes it
    assert (s.video_bitrate, s.height) == (614_400, 480)  # as with the sound encoded


@pytest.mark.parametrize("changes, start", [
    (dict(), 30.0),                       # a later start: the copy would not start on the first frame
    (dict(audio_codec="mp3"), 0.0),       # the transcode writes AAC
    (dict(audio_channels=6), 0.0),        # mixed down to stereo
    (dict(audio_sample_rate=96_000), 0.0),  # resampled to 48 kHz
    (dict(audio_lag=0.2), 0.0),           # padded to start with the picture
    (dict(timeline="trimmed"), 0.0),      # an edit list: the sound's times differ from the picture's
    (dict(input_offset=1.4), 0.0),
    (dict(video_bytes=0), 0.0),           # a probe cached before video bytes were counted: rate unknown
    (dict(has_audio=False), 0.0),
])
def test_the_sound_is_encoded_where_a_copy_would_not_start_with_the_picture_or_fit_mp4(changes, start):
    s = transcode_settings(aac_source(**changes), 60, LOW, start=start)
    assert s.copied_audio_bitrate == 0


def test_the_sound_is_encoded_when_its_copy_would_take_bits_from_the_picture():
    # 1000 s at LOW: 720,000 b/s of budget. Encoded sound leaves 656,000 for the picture, above
    # the 614,400 480p needs; a 256 kb/s copy would leave 464,000.
    heavy = aac_source(duration=1000.0, size_bytes=100_000_000, video_bytes=68_000_000)
    s = transcode_settings(heavy, 1000, LOW)
    assert (s.copied_audio_bitrate, s.video_bitrate) == (0, 614_400)
    light = aac_source(duration=1000.0, size_bytes=100_000_000, video_bytes=92_000_000)  # 64 kb/s
    assert transcode_settings(light, 1000, LOW).copied_audio_bitrate == 64_000


# ---------------------------------------------------------------- media_name

SETTINGS = TranscodeSettings(video_bitrate=614_400, audio_bitrate=64_000, height=480, fps_cap=30.0)


def test_media_name_is_deterministic():
    a = media_name(video(), Action.CUT, 0.0, 100.0, SETTINGS)
    b = media_name(video(), Action.CUT, 0.0, 100.0, TranscodeSettings(614_400, 64_000, 480, 30.0))
    assert a == b
    assert re.fullmatch(r"match-[0-9a-f]{16}\.mp4", a)


def test_media_names_are_those_earlier_versions_gave():
    # Computed by the code before a transcode could copy its sound (5a9abf8): clips a nightly
    # run made then are found again, not made again.
    assert media_name(video(), Action.CUT, 0.0, 100.0, SETTINGS) == "match-ad463c054c616bf2.mp4"
    # A copy or cut from the first frame: its settings may copy sound, its bytes do not depend on it.
    assert media_name(video(), Action.CUT, 0.0, 100.0, dataclasses.replace(
        SETTINGS, copied_audio_bitrate=128_000)) == "match-ad463c054c616bf2.mp4"
    assert media_name(video(), Action.TRANSCODE, 0.0, 100.0,
                      TranscodeSettings(614_400, 64_000, 480, None)) == "match-66c14deb9e23dbb8.mp4"


@pytest.mark.parametrize("info, action, start, end, settings", [
    (video(), Action.TRANSCODE, 0.0, 100.0, dataclasses.replace(SETTINGS, copied_audio_bitrate=128_000)),
    (video(identity="30000000:1700000001"), Action.CUT, 0.0, 100.0, SETTINGS),
    (video(uri="/other/match.mp4"), Action.CUT, 0.0, 100.0, SETTINGS),
    (video(), Action.CUT, 2.0, 100.0, SETTINGS),
    (video(), Action.CUT, 0.0, 100.5, SETTINGS),
    (video(), Action.TRANSCODE, 0.0, 100.0, SETTINGS),
    (video(), Action.CUT, 0.0, 100.0, dataclasses.replace(SETTINGS, video_bitrate=500_000)),
    (video(), Action.CUT, 0.0, 100.0, dataclasses.replace(SETTINGS, height=360)),
])
def test_media_name_changes(info, action, start, end, settings):
    assert media_name(info, action, start, end, settings) != media_name(video(), Action.CUT, 0.0, 100.0, SETTINGS)


@pytest.mark.parametrize("uri, action, pattern", [
    ("/v/clip.MP4", Action.COPY, r"clip-[0-9a-f]{16}\.mp4"),
    ("/v/clip.webm", Action.COPY, r"clip-[0-9a-f]{16}\.webm"),
    ("/v/clip.webm", Action.REMUX, r"clip-[0-9a-f]{16}\.mp4"),
    ("/v/clip", Action.COPY, r"clip-[0-9a-f]{16}\.mp4"),
    ("gs://b/" + "x" * 50 + ".mov", Action.TRANSCODE, "x" * 40 + r"-[0-9a-f]{16}\.mp4"),
])
def test_media_name_shape(uri, action, pattern):
    assert re.fullmatch(pattern, media_name(video(uri=uri), action, 0.0, 1.0, SETTINGS))
