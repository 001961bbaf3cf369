"""Colour-event videos made the way real sources make their picture and sound (issue 11).

Each case is one file, made with the bundled ffmpeg as the device or tool it imitates would
write it: a screen recorder's H.264 4:4:4 at an odd size, a camera's 10-bit H.264, an editor's
ProRes and DNxHR, broadcast MPEG-2 interlaced and anamorphic with AC-3 5.1, phones' rotated and
HDR (PQ, HLG) HEVC, non-square pixels, several audio tracks, subtitles and attachments. Colours
are painted over the whole frame at known times (pipeline/synthetic_media's events), so a test
can check the pixels at every remapped time. Interlaced cases use real camera footage as
their background (tests/camera_footage.py): fields from moving real content comb the way
broadcast does, where a flat or synthetic picture shows idet nothing, or the wrong thing.
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import subprocess
from fractions import Fraction
from typing import Optional

from pipeline.synthetic_media import COLORS, Event
from transforms.media.ffmpeg_commands import ffmpeg_binary

EVENTS = (Event(2, 4, "red"), Event(6, 8, "blue"))
PROMPT = "List every colour event in this video with its start and end as MM:SS."


@dataclasses.dataclass(frozen=True)
class Audio:
    """One audio track: a tone (or silence), its channels, codec and disposition."""

    codec: tuple[str, ...] = ("-c:a", "aac", "-b:a", "96k")
    channels: int = 2
    rate: int = 48000
    tone: float = 440.0       # 0: silence
    default: bool = True


@dataclasses.dataclass(frozen=True)
class Footage:
    name: str
    how: str                          # the real source this imitates
    causes: frozenset[str]            # why the pipeline must re-encode it (empty: copied)
    seconds: float = 10.0
    events: tuple[Event, ...] = EVENTS
    size: tuple[int, int] = (320, 240)
    fps: str = "25"
    camera: bool = False              # real camera footage as the background
    interlace: str = ""               # "tff" or "bff": fields woven from twice the frame rate
    sar: str = "1"
    hdr: str = ""                     # "pq" or "hlg", from SDR colours by BT.2408 (white at 203 cd/m2)
    video: tuple[str, ...] = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
    audio: tuple[Audio, ...] = (Audio(),)
    audio_seconds: Optional[float] = None  # default: as long as the video
    extras: tuple[str, ...] = ()      # "subtitle", "attachment", "chapters"
    rotation: int = 0
    action: str = "transcode"         # what the pipeline should do with it

    @property
    def row_id(self) -> str:
        return self.name.rsplit(".", 1)[0]


_PCM = ("-c:a", "pcm_s16le")
CASES = (
    Footage("screen_444.mp4", "a screen recorder: H.264 High 4:4:4, odd size, no sound", frozenset({"codec"}),
            seconds=8, size=(1366, 767), fps="30", audio=(),
            video=("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p")),
    Footage("camera_10bit.mp4", "a camera's 10-bit H.264 (High 10)", frozenset({"codec"}),
            video=("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le")),
    Footage("hevc_main10.mp4", "HEVC Main 10, SDR", frozenset({"codec"}),
            video=("-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1",
                   "-x265-params", "log-level=error")),
    Footage("editor_prores.mov", "an editor's ProRes 422 export with PCM sound", frozenset({"codec", "audio"}),
            video=("-c:v", "prores_ks", "-profile:v", "2"), audio=(Audio(codec=_PCM),)),
    Footage("editor_dnxhr.mov", "DNxHR LB, video only", frozenset({"codec"}), audio=(),
            video=("-c:v", "dnxhd", "-profile:v", "dnxhr_lb", "-pix_fmt", "yuv422p")),
    Footage("old_camera_mjpeg.avi", "an old camera's Motion JPEG with PCM sound", frozenset({"codec", "audio"}),
            video=("-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj422p"), audio=(Audio(codec=_PCM, channels=1),)),
    Footage("archive_ffv1.mkv", "an archive's FFV1 with FLAC 5.1, chapters, subtitles and a font",
            frozenset({"codec", "audio"}), video=("-c:v", "ffv1"),
            audio=(Audio(codec=("-c:a", "flac"), channels=6),), extras=("subtitle", "attachment", "chapters")),
    Footage("broadcast_pal.ts", "broadcast: MPEG-2 576i top field first, 16:9 anamorphic, AC-3 5.1",
            frozenset({"codec", "interlace", "aspect", "audio"}), size=(720, 576), camera=True, interlace="tff",
            sar="64/45", video=("-c:v", "mpeg2video", "-b:v", "6M", "-flags", "+ilme+ildct"),
            audio=(Audio(codec=("-c:a", "ac3", "-b:a", "384k"), channels=6),)),
    Footage("camcorder_ntsc.mp4", "a camcorder's H.264 480i bottom field first, otherwise copyable",
            frozenset({"interlace"}), size=(720, 480), fps="30000/1001", camera=True, interlace="bff",
            video=("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-flags", "+ilme+ildct",
                   "-x264opts", "bff=1")),
    Footage("dvd_ntsc.mpg", "a DVD's MPEG-2 480i top field first, 4:3 (SAR 8:9), MP2 sound in MPEG-PS",
            frozenset({"codec", "interlace", "aspect", "audio"}), size=(720, 480), fps="30000/1001", camera=True,
            interlace="tff", sar="8/9", video=("-c:v", "mpeg2video", "-b:v", "6M", "-flags", "+ilme+ildct"),
            audio=(Audio(codec=("-c:a", "mp2", "-b:a", "192k")),)),
    Footage("sar_45_34.mp4", "H.264 with SAR 45:34 and E-AC-3 sound", frozenset({"aspect", "audio"}),
            size=(352, 288), sar="45/34", audio=(Audio(codec=("-c:a", "eac3", "-b:a", "192k")),)),
    Footage("sar_240_169.mkv", "H.264 with SAR 240:169, Opus, a second (default) track and subtitles",
            frozenset({"aspect"}), size=(320, 240), sar="240/169",
            audio=(Audio(codec=("-c:a", "libopus", "-b:a", "64k"), tone=0, default=False),
                   Audio(codec=("-c:a", "libopus", "-b:a", "64k"), tone=660)),
            extras=("subtitle",)),
    Footage("sar_1215_1216.mov", "H.264 4:2:2 (High 4:2:2), SAR 1215:1216, MP3", frozenset({"codec"}),
            size=(640, 480), sar="1215/1216", audio=(Audio(codec=("-c:a", "libmp3lame", "-b:a", "128k")),),
            video=("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv422p")),
    Footage("phone_270.mp4", "a phone held the other way up (rotation 270), two audio tracks",
            frozenset({"rotation"}), size=(640, 360), rotation=270,
            audio=(Audio(tone=0, default=False), Audio(tone=880))),
    Footage("phone_90_anamorphic.mp4", "rotation 90 with non-square pixels (SAR 4:3)",
            frozenset({"rotation", "aspect"}), size=(480, 360), sar="4/3", rotation=90),
    Footage("phone_hdr_pq.mp4", "HDR10: HEVC Main 10, PQ, BT.2020", frozenset({"codec", "hdr"}), hdr="pq",
            video=("-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1",
                   "-x265-params", "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc",
                   "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc")),
    Footage("phone_hdr_hlg.mov", "a phone's HLG: HEVC Main 10, ARIB STD-B67, BT.2020, in QuickTime",
            frozenset({"codec", "hdr"}), hdr="hlg",
            video=("-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1",
                   "-x265-params", "log-level=error:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc",
                   "-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc")),
    Footage("surround_51.mp4", "H.264 with AAC 5.1: the picture is copied, the sound mixed to stereo",
            frozenset({"audio"}), action="remux", audio=(Audio(channels=6, codec=("-c:a", "aac", "-b:a", "256k")),)),
    Footage("audio_longer.mov", "a QuickTime whose PCM sound runs 4 s past the picture", frozenset({"audio"}),
            action="remux", audio=(Audio(codec=_PCM),), audio_seconds=14.0),
    Footage("camera_real.mp4", "real camera footage, H.264 High 4:2:0 with AAC: copied as it is", frozenset(),
            size=(640, 272), camera=True, action="copy",
            video=("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p")),
)


def _colour(name: str) -> str:
    r, g, b = COLORS[name]
    return f"0x{r:02x}{g:02x}{b:02x}"


def _video_graph(case: Footage) -> str:
    """The filter graph from input 0 to [v]: background, events, interlacing, pixel aspect, HDR."""
    w, h = case.size
    fps = Fraction(case.fps)
    rate = fps * 2 if case.interlace else fps  # fields are woven from frames at twice the rate
    steps = []
    if case.camera:
        # Real footage at 25 fps, sped up so that every field is its own moment (no repeated frames).
        steps += [f"scale={w}:{h}", "setsar=1", f"setpts=PTS*25/({rate})", f"fps={rate}"]
    for e in case.events:
        steps.append(f"drawbox=enable='between(t,{e.start},{e.end})':x=0:y=0:w=iw:h=ih:c={_colour(e.color)}:t=fill")
    if case.interlace:
        steps += [f"tinterlace=mode={'interleave_top' if case.interlace == 'tff' else 'interleave_bottom'}",
                  f"setfield={case.interlace}"]
    steps.append(f"setsar={case.sar}:max=10000")  # the default max (100) would round 1215:1216 to 1:1
    if case.hdr:
        transfer = "smpte2084" if case.hdr == "pq" else "arib-std-b67"
        steps += ["format=yuv420p", f"zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t={transfer}:p=bt2020:"
                  "m=bt2020nc:r=tv:npl=203", "format=yuv420p10le"]
    return "[0:v]" + ",".join(steps or ["null"]) + "[v]"


def _inputs(case: Footage, folder: str, camera_clip: Optional[str]) -> list[str]:
    w, h = case.size
    if case.camera:
        if not camera_clip:
            raise ValueError(f"{case.name} needs the camera footage")
        video = ["-stream_loop", "-1", "-i", camera_clip]
    else:
        video = ["-f", "lavfi", "-i", f"color=c=0x808080:s={w}x{h}:r={case.fps}:d={case.seconds}"]
    audio_seconds = case.audio_seconds or case.seconds
    for track in case.audio:
        layout = {1: "mono", 2: "stereo", 6: "5.1"}[track.channels]
        if track.tone:
            source = (f"sine=f={track.tone}:sample_rate={track.rate}:d={audio_seconds},"
                      f"aformat=channel_layouts={layout}")
        else:
            source = f"anullsrc=r={track.rate}:cl={layout}:d={audio_seconds}"
        video += ["-f", "lavfi", "-i", source]
    if "subtitle" in case.extras:
        srt = os.path.join(folder, "_subtitles.srt")
        with open(srt, "w", encoding="utf-8") as handle:
            handle.write("1\n00:00:01,000 --> 00:00:03,000\nA subtitle no output keeps.\n")
        video += ["-i", srt]
    if "chapters" in case.extras:
        chapters = os.path.join(folder, "_chapters.txt")
        with open(chapters, "w", encoding="utf-8") as handle:
            handle.write(";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=5000\ntitle=One\n"
                         "[CHAPTER]\nTIMEBASE=1/1000\nSTART=5000\nEND=10000\ntitle=Two\n")
        video += ["-f", "ffmetadata", "-i", chapters]
    return video


def command(case: Footage, folder: str, out: str, camera_clip: Optional[str] = None) -> list[str]:
    """The ffmpeg command that writes `case` to `out`."""
    cmd = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    cmd += _inputs(case, folder, camera_clip)
    cmd += ["-filter_complex", _video_graph(case), "-map", "[v]"]
    next_input = 1
    for track in case.audio:
        cmd += ["-map", f"{next_input}:a"]
        next_input += 1
    if "subtitle" in case.extras:
        cmd += ["-map", f"{next_input}:s", "-c:s", "srt" if case.name.endswith(".mkv") else "mov_text"]
        next_input += 1
    if "chapters" in case.extras:
        cmd += ["-map_chapters", str(next_input)]
        next_input += 1
    if "attachment" in case.extras:
        font = os.path.join(folder, "_font.ttf")
        with open(font, "wb") as handle:
            handle.write(b"\x00\x01\x00\x00" + bytes(60))  # a font-shaped attachment: only its presence matters
        cmd += ["-attach", font, "-metadata:s:t", "mimetype=application/x-truetype-font"]
    cmd += list(case.video)
    fps = Fraction(case.fps)
    cmd += ["-r", case.fps, "-g", str(round(2 * fps))]
    for position, track in enumerate(case.audio):
        cmd += [f"{arg}:{position}" if arg in ("-c:a", "-b:a") else arg for arg in track.codec]
        cmd += [f"-disposition:a:{position}", "default" if track.default else "0"]
    if case.sar != "1" and "mpeg2video" in case.video:
        num, den = (int(x) for x in case.sar.split("/"))
        dar = Fraction(case.size[0] * num, case.size[1] * den)
        cmd += ["-aspect", f"{dar.numerator}:{dar.denominator}"]
    cmd += ["-t", str(max(case.seconds, case.audio_seconds or 0))]
    cmd += [out]
    return cmd


def make(folder: str, case: Footage, camera_clip: Optional[str] = None) -> str:
    """Write the case's file into `folder` (if it is not there yet) and return its path."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, case.name)
    if os.path.exists(path):
        return path
    ext = os.path.splitext(path)[1]
    tmp = path + ".tmp" + ext
    subprocess.run(command(case, folder, tmp, camera_clip), check=True)
    if case.rotation:  # an input option: a stream copy writes it as the display matrix
        rotated = path + ".rot" + ext
        subprocess.run([ffmpeg_binary(), "-nostdin", "-loglevel", "error", "-y",
                        "-display_rotation:v:0", str(case.rotation), "-i", tmp, "-map", "0", "-c", "copy",
                        rotated], check=True)
        os.replace(rotated, tmp)
    os.replace(tmp, path)
    return path


def _fingerprint(cases) -> str:
    source = open(__file__, "rb").read()
    return hashlib.sha1(repr(cases).encode() + source).hexdigest()[:12]


def build(root: str, camera_clip: str, cases=CASES) -> str:
    """Make every case and a manifest that uses them; return the manifest's path. Cached under
    `root` by what the files are made from; processes sharing `root` wait for each other."""
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder = os.path.join(root, f"picture-{_fingerprint(cases)}")
        os.makedirs(folder, exist_ok=True)
        manifest = os.path.join(folder, "manifest.jsonl")
        if os.path.exists(manifest):
            return manifest
        rows = []
        for case in cases:
            make(folder, case, camera_clip)
            rows.append({"id": case.row_id, "video_uri": case.name, "prompt": PROMPT,
                         "annotations": [e.annotation() for e in case.events]})
        with open(manifest + ".tmp", "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row) + "\n")
        os.replace(manifest + ".tmp", manifest)
        return manifest
