import dataclasses

import pytest

from transforms.core.types import VideoInfo
from transforms.media.video_info import (accepted_mime, can_copy_audio_into_mp4, can_copy_video_into_mp4,
                                   container_name, video_info)

MOV = "mov,mp4,m4a,3gp,3g2,mj2"
MKV = "matroska,webm"


@pytest.mark.parametrize("format_name, brand, uri, codec, expected", [
    (MOV, "isom", "/v/a.mp4", "h264", "mp4"),
    (MOV, "mp42", "/v/a.mp4", "h264", "mp4"),
    (MOV, "M4V ", "/v/a.m4v", "h264", "mp4"),
    (MOV, "", "/v/a.mp4", "h264", "mp4"),
    (MOV, "qt  ", "/v/a.mov", "h264", "quicktime"),
    (MOV, "QT  ", "/v/a.mov", "h264", "quicktime"),
    (MOV, "3gp4", "/v/a.3gp", "h264", "3gpp"),
    (MOV, "3g2a", "/v/a.3g2", "h264", "3gpp"),
    (MKV, "", "/v/a.webm", "vp9", "webm"),
    (MKV, "", "/v/A.WEBM", "vp8", "webm"),
    (MKV, "", "gs://b/a.webm", "av1", "webm"),
    (MKV, "", "/v/a.mkv", "vp9", "matroska"),     # WebM content in a .mkv name
    (MKV, "", "/v/a.webm", "h264", "matroska"),   # H.264 is not WebM, whatever the name
    (MKV, "", "/v/a.mkv", "h264", "matroska"),
    ("avi", "", "/v/a.avi", "mpeg4", "avi"),
    ("mpegts", "", "/v/a.ts", "h264", "mpegts"),
])
def test_container_name(format_name, brand, uri, codec, expected):
    assert container_name(format_name, brand, uri, codec) == expected


def info(container="mp4", video_codec="h264", has_audio=True, audio_codec="aac"):
    return VideoInfo(uri="/v/a", size_bytes=1, container=container, duration=1.0, video_codec=video_codec,
                     width=2, height=2, fps=30.0, rotation=0, has_audio=has_audio, audio_codec=audio_codec,
                     input_offset=0.0)


@pytest.mark.parametrize("kw, expected", [
    (dict(), "video/mp4"),
    (dict(has_audio=False, audio_codec=""), "video/mp4"),
    (dict(container="quicktime", video_codec="hevc", audio_codec="mp3"), "video/quicktime"),
    (dict(container="3gpp"), "video/3gpp"),
    (dict(container="webm", video_codec="vp9", audio_codec="opus"), "video/webm"),
    (dict(container="webm", video_codec="vp8", audio_codec="vorbis"), "video/webm"),
    (dict(container="mp4", video_codec="av1"), "video/mp4"),
    (dict(container="matroska"), None),
    (dict(container="avi"), None),
    (dict(video_codec="mpeg4"), None),
    (dict(video_codec="prores"), None),
    (dict(audio_codec="pcm_s16le"), None),
    (dict(audio_codec="ac3"), None),
])
def test_accepted_mime(kw, expected):
    assert accepted_mime(info(**kw)) == expected


@pytest.mark.parametrize("codec, expected", [("h264", True), ("hevc", True), ("vp9", True), ("av1", True),
                                             ("vp8", False), ("mpeg4", False)])
def test_can_copy_video_into_mp4(codec, expected):
    assert can_copy_video_into_mp4(info(video_codec=codec)) is expected


@pytest.mark.parametrize("has_audio, codec, expected", [
    (False, "", True), (True, "aac", True), (True, "mp3", True), (True, "opus", True),
    (True, "vorbis", False), (True, "pcm_s16le", False),
])
def test_can_copy_audio_into_mp4(has_audio, codec, expected):
    assert can_copy_audio_into_mp4(info(has_audio=has_audio, audio_codec=codec)) is expected


def test_video_info_from_raw_probe():
    raw = {"size_bytes": "1234", "format_name": MOV, "major_brand": "qt  ", "duration": "12.5",
           "video_codec": "h264", "width": 1920, "height": 1080, "fps": 29.97, "rotation": 90,
           "has_audio": 1, "audio_codec": "aac", "video_start": 0.25, "container_start": 0.125,
           "keyframes": [0.0, 2.0]}
    assert video_info(raw, "/v/a.mov", "1234:99") == VideoInfo(
        uri="/v/a.mov", size_bytes=1234, container="quicktime", duration=12.5, video_codec="h264",
        width=1920, height=1080, fps=29.97, rotation=90, has_audio=True, audio_codec="aac",
        input_offset=0.125, keyframes=(0.0, 2.0), identity="1234:99")


def test_video_info_defaults():
    raw = {"size_bytes": 1, "format_name": "avi", "duration": 1, "video_codec": "mpeg4", "width": 2,
           "height": 2, "fps": 25, "has_audio": False, "video_start": 0, "container_start": 0}
    v = video_info(raw, "/v/a.avi", "")
    assert (v.container, v.rotation, v.audio_codec, v.keyframes, v.input_offset) == ("avi", 0, "", (), 0.0)


# What may be copied: by codec and profile, bit depth and chroma (README, "What may be copied").
@pytest.mark.parametrize("kw, causes", [
    (dict(), ()),
    (dict(video_profile="High", pix_fmt="yuv420p"), ()),
    (dict(video_profile="Main", pix_fmt="yuvj420p"), ()),                         # full-range phones
    (dict(video_profile="High 4:4:4 Predictive", pix_fmt="yuv444p", bit_depth=8, chroma="4:4:4"), ("codec",)),
    (dict(video_profile="High 10", pix_fmt="yuv420p10le", bit_depth=10), ("codec",)),
    (dict(video_profile="High 4:2:2", pix_fmt="yuv422p", chroma="4:2:2"), ("codec",)),
    (dict(video_codec="hevc", video_profile="Main"), ()),
    (dict(video_codec="hevc", video_profile="Main 10", pix_fmt="yuv420p10le"), ("codec",)),
    (dict(video_codec="hevc", video_profile="Rext", pix_fmt="yuv444p"), ("codec",)),
    (dict(video_codec="vp9", video_profile="Profile 0"), ()),
    (dict(video_codec="vp9", video_profile="Profile 2", pix_fmt="yuv420p10le"), ("codec",)),
    (dict(video_codec="av1", video_profile="Main"), ()),
    (dict(video_codec="prores", video_profile="Standard", pix_fmt="yuv422p10le"), ("codec",)),
    (dict(video_codec="dnxhd", video_profile="DNXHR LB", pix_fmt="yuv422p"), ("codec",)),
    (dict(video_codec="mjpeg", video_profile="Baseline", pix_fmt="yuvj422p"), ("codec",)),
    (dict(video_codec="ffv1", video_profile="", pix_fmt="yuv420p"), ("codec",)),
    (dict(video_codec="mpeg2video", video_profile="Main"), ("codec",)),
    (dict(interlaced=True), ("interlace",)),
    (dict(sar=(64, 45)), ("aspect",)),
    (dict(sar=(1215, 1216)), ()),                                                 # within 1% of square
    (dict(rotation=90), ("rotation",)),
    (dict(video_codec="hevc", video_profile="Main 10", pix_fmt="yuv420p10le", color_transfer="smpte2084"),
     ("codec", "hdr")),
    (dict(color_transfer="arib-std-b67"), ("hdr",)),
    (dict(video_codec="mpeg2video", video_profile="Main", interlaced=True, sar=(64, 45)),
     ("codec", "interlace", "aspect")),
])
def test_video_transcode_causes(kw, causes):
    from transforms.media.video_info import video_transcode_causes
    found = video_transcode_causes(dataclasses.replace(info(), **kw))
    assert tuple(c.value for c in found) == causes


@pytest.mark.parametrize("kw, needs_aac", [
    (dict(), False), (dict(audio_codec="mp3"), False), (dict(audio_codec="opus"), False),
    (dict(audio_codec="pcm_s16le"), True), (dict(audio_codec="ac3"), True),
    (dict(audio_codec="eac3"), True), (dict(audio_codec="flac"), True), (dict(audio_codec="mp2"), True),
    (dict(audio_codec="vorbis"), True), (dict(has_audio=False, audio_codec="flac"), False),
])
def test_audio_needs_aac(kw, needs_aac):
    from transforms.media.video_info import audio_needs_aac
    assert audio_needs_aac(dataclasses.replace(info(), audio_channels=2, **kw)) is needs_aac


@pytest.mark.parametrize("channels, needs_aac", [(1, False), (2, False), (6, True), (8, True)])
def test_more_than_stereo_needs_aac(channels, needs_aac):
    from transforms.media.video_info import audio_needs_aac
    assert audio_needs_aac(dataclasses.replace(info(), audio_channels=channels)) is needs_aac


@pytest.mark.parametrize("kw", [
    dict(video_profile="High 4:4:4 Predictive", pix_fmt="yuv444p"), dict(interlaced=True), dict(sar=(45, 34)),
    dict(rotation=270), dict(color_transfer="smpte2084"), dict(audio_channels=6), dict(audio_streams=2),
    dict(other_streams=("subtitle",)), dict(other_streams=("data",)),
])
def test_what_is_not_used_as_it_is(kw):
    assert accepted_mime(dataclasses.replace(info(), **{'audio_channels': 2, 'audio_streams': 1, **kw})) is None


def test_video_info_reads_the_picture_and_sound_fields():
    raw = {"size_bytes": 1, "format_name": "mpegts", "duration": 1, "video_codec": "mpeg2video", "width": 720,
           "height": 576, "fps": 25, "has_audio": True, "audio_codec": "ac3", "video_start": 0,
           "container_start": 0, "video_profile": "Main", "pix_fmt": "yuv420p", "bit_depth": 8,
           "chroma": "4:2:0", "interlaced": True, "sar": [64, 45], "color_transfer": "", "audio_index": 1,
           "audio_streams": 2, "audio_channels": 6, "audio_sample_rate": 48000, "other_streams": ["audio", "data"],
           "video_index": 0, "field_order": "tt"}
    v = video_info(raw, "/v/a.ts", "")
    assert (v.interlaced, v.sar, v.audio_index, v.audio_channels, v.other_streams) == \
        (True, (64, 45), 1, 6, ("audio", "data"))
