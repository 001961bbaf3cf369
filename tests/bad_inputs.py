"""Broken, strange and hostile media files, made on the spot (nothing binary is committed).

Each maker writes one file into a folder and returns its path. The hostile ones point at a
canary: a magenta video and a text file holding a secret, which must never reach an output.
"""
from __future__ import annotations

import os
import struct
import subprocess
import uuid

from pipeline.synthetic_media import VideoSpec, make_video
from transforms.media.ffmpeg_commands import ffmpeg_binary

CANARY_COLOUR = (255, 0, 255)  # magenta: no good video of the bad-input corpus shows it


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_canary(folder: str) -> tuple[str, str, bytes]:
    """(canary video path, canary text path, the secret bytes in the text file)."""
    video = os.path.join(folder, "canary_secret.mp4")
    _ffmpeg("-f", "lavfi", "-i", "color=c=magenta:s=64x48:r=10:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", video)
    secret = f"CANARY-SECRET-{uuid.uuid4().hex}".encode()
    text = os.path.join(folder, "canary_secret.txt")
    with open(text, "wb") as handle:
        handle.write(secret + b"\n")
    return video, text, secret


def _write(folder: str, name: str, data: bytes) -> str:
    path = os.path.join(folder, name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def hls_playlist(canary_video: str, canary_text: str = "") -> bytes:
    """A playlist whose segment is the canary video (FFmpeg plays it), and, with a text canary,
    the other local-file tricks as further segments."""
    extra = (f"#EXTINF:1,\nfile://{canary_text}\n#EXTINF:1,\nconcat:{canary_video}|{canary_text}\n"
             if canary_text else "")
    return (f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2,\n{canary_video}\n"
            f"{extra}#EXT-X-ENDLIST\n").encode()


def make_hls_named_mp4(folder: str, canary_video: str, canary_text: str = "", name: str = "playlist.mp4") -> str:
    """An HLS playlist with a video's name, whose segments are local files (the HLS disclosure)."""
    return _write(folder, name, hls_playlist(canary_video, canary_text))


def make_concat_script_named_mp4(folder: str, canary_video: str) -> str:
    """An ffconcat script with a video's name, listing a local file."""
    return _write(folder, "concat_script.mp4", f"ffconcat version 1.0\nfile '{canary_video}'\n".encode())


def make_concat_protocol_named_mp4(folder: str, canary_video: str, canary_text: str) -> str:
    """A file holding a `concat:` URL (the CVE-2016-1897/1898 SSRF payload) and a video's name."""
    return _write(folder, "concat_protocol.mp4", f"concat:{canary_video}|{canary_text}\n".encode())


def make_avi_with_embedded_playlist(folder: str, canary_video: str, canary_text: str = "") -> str:
    """An AVI whose GAB2 subtitle packet holds an HLS playlist pointing at the canary (CVE-2017-9993).

    FFmpeg's AVI demuxer hands a subtitle packet that starts with "GAB2" to a nested demuxer
    chosen by probing its content: in 2017 that opened the playlist and read local files into
    the "subtitles". Made from a real two-stream AVI: the second stream (raw 32x32 grey, one
    1024-byte frame) becomes a `txts` stream with no codec tag, and its frame becomes the GAB2
    packet, so every size and index entry stays valid.
    """
    path = os.path.join(folder, "_two_streams.avi")
    _ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=64x48:r=10:d=2", "-f", "lavfi", "-i", "color=c=black:s=32x32:r=10:d=0.1",
            "-map", "0", "-map", "1", "-c:v:0", "mpeg4", "-c:v:1", "rawvideo", "-pix_fmt:v:1", "gray", path)
    with open(path, "rb") as handle:
        data = bytearray(handle.read())
    header = data.index(b"vidsY800")  # the second stream's strh: fccType, fccHandler
    data[header:header + 8] = b"txts\0\0\0\0"
    chunk = data.index(b"01dc" + struct.pack("<I", 1024))
    playlist = hls_playlist(canary_video, canary_text)
    head = b"GAB2\0" + struct.pack("<HIH", 2, 0, 4)  # version 2, empty title, flags
    body = playlist + b"\n" * (1024 - len(head) - 4 - len(playlist))
    payload = head + struct.pack("<I", len(body)) + body
    assert len(payload) == 1024
    data[chunk + 8:chunk + 8 + 1024] = payload
    return _write(folder, "embedded_playlist.avi", bytes(data))


def make_zero_byte(folder: str) -> str:
    return _write(folder, "zero_bytes.mp4", b"")


def make_text_named_mp4(folder: str) -> str:
    return _write(folder, "notes.mp4", b"This is a text file with a video's name.\n" * 20)


def _small_mp4(folder: str) -> str:
    return make_video(folder, VideoSpec(name="_small_source.mp4", seconds=2, size=(64, 48), audio=False))


def make_truncated_in_first_frame(folder: str) -> str:
    """A faststart MP4 cut off a few bytes into its first frame: a moov that promises missing data."""
    source = os.path.join(folder, "_faststart.mp4")
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=2", "-c:v", "libx264", "-movflags", "+faststart", source)
    with open(source, "rb") as handle:
        data = handle.read()
    mdat = data.index(b"mdat")
    return _write(folder, "truncated_first_frame.mp4", data[:mdat + 4 + 16])


def make_no_moov(folder: str) -> str:
    """An MP4 whose recording was never finalised: ftyp and mdat, the moov (at the end) missing."""
    with open(_small_mp4(folder), "rb") as handle:
        data = handle.read()
    moov = data.rindex(b"moov") - 4  # the box starts with its 4-byte size
    assert moov > data.index(b"mdat")
    return _write(folder, "no_moov.mp4", data[:moov])


def make_audio_only(folder: str) -> str:
    path = os.path.join(folder, "audio_only.mp4")
    _ffmpeg("-f", "lavfi", "-i", "sine=f=440:d=2", "-c:a", "aac", path)
    return path


def make_unknown_codec(folder: str) -> str:
    """A Matroska video whose codec id no decoder knows."""
    path = os.path.join(folder, "_h264.mkv")
    _ffmpeg("-f", "lavfi", "-i", "color=s=64x48:r=10:d=2", "-c:v", "libx264", path)
    with open(path, "rb") as handle:
        data = handle.read()
    assert data.count(b"V_MPEG4/ISO/AVC") == 1
    return _write(folder, "unknown_codec.mkv", data.replace(b"V_MPEG4/ISO/AVC", b"V_ZZZZZ/ISO/ZZZ"))


def make_huge_frame(folder: str, width: int = 16384, height: int = 16384, name: str = "huge_frame.avi") -> str:
    """An AVI of raw 16x16 frames whose header claims width x height."""
    path = os.path.join(folder, "_raw.avi")
    _ffmpeg("-f", "lavfi", "-i", "color=s=16x16:r=5:d=1", "-c:v", "rawvideo", "-pix_fmt", "yuv420p", path)
    with open(path, "rb") as handle:
        data = bytearray(handle.read())
    strf = data.index(b"strf")
    struct.pack_into("<ii", data, strf + 12, width, height)  # BITMAPINFOHEADER biWidth, biHeight
    return _write(folder, name, bytes(data))


def make_absurd_duration(folder: str) -> str:
    """A Matroska file whose header declares a length of about 31 years."""
    path = os.path.join(folder, "_short.mkv")
    _ffmpeg("-f", "lavfi", "-i", "color=s=64x48:r=10:d=2", "-c:v", "libx264", path)
    with open(path, "rb") as handle:
        data = bytearray(handle.read())
    at = data.index(b"\x44\x89")  # the Segment Info Duration element, in milliseconds
    if data[at + 2] == 0x88:
        struct.pack_into(">d", data, at + 3, 1e12)
    else:
        struct.pack_into(">f", data, at + 3, 1e12)
    return _write(folder, "absurd_duration.mkv", bytes(data))


def make_many_streams(folder: str, count: int = 40) -> str:
    path = os.path.join(folder, "many_streams.mkv")
    src = _small_mp4(folder)
    _ffmpeg("-i", src, *sum((["-map", "0:v"] for _ in range(count)), []), "-c", "copy", path)
    return path


def make_unaccepted_container(folder: str) -> str:
    """A good H.264 stream in NUT, a container we do not accept, with a video's name."""
    path = os.path.join(folder, "nut_container.mp4")
    _ffmpeg("-i", _small_mp4(folder), "-c", "copy", "-f", "nut", path)
    return path
