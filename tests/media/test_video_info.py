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
