"""Checks of every clip the pipeline wrote, read from its bytes (issue 11), shared by the e2e tests.

For each output clip against its source: the picture shows the source's display aspect (SAR x
width / height, after rotation) within 1%; the sound is there when the source had some; a clip
we encoded is 8-bit 4:2:0 H.264 with square pixels and even sides, and holds nothing but its
video and one audio track; and ffmpeg's `idet` finds no combed frames in it. Nothing here uses
the pipeline's own probe: the files are read with PyAV and ffmpeg directly.
"""
from __future__ import annotations

import dataclasses
import re
import subprocess
from fractions import Fraction
from typing import Optional

import av
import numpy as np

from transforms.media.ffmpeg_commands import ffmpeg_binary

ASPECT_TOLERANCE = 0.01
# idet marks a frame interlaced when its fields differ as combing does. Its single-frame verdicts
# are used: the multi-frame ones carry the last decision over undetermined frames, so one
# doubtful frame of a flat picture makes the rest "interlaced". A frame counts as combed when
# its fields differ 1.5 times more than a progressive picture's lines (intl_thres; the default
# 1.04 fires on the encoder's noise in flat frames). Our interlaced sources score about 0.55
# (their colour events are flat, undetermined), every deinterlaced output 0.
IDET_THRESHOLD = 1.5
MAX_COMBED_SHARE = 0.05
_IDET = re.compile(r"Single frame detection: TFF:\s*(\d+)\s+BFF:\s*(\d+)\s+Progressive:\s*(\d+)\s+Undetermined:\s*(\d+)")


@dataclasses.dataclass(frozen=True)
class Picture:
    codec: str
    width: int
    height: int
    sar: Fraction
    rotation: int
    pix_fmt: str
    stream_kinds: tuple[str, ...]
    audio_channels: int

    @property
    def display_aspect(self) -> float:
        aspect = self.width * float(self.sar) / self.height
        return 1 / aspect if self.rotation in (90, 270) else aspect


def picture(path: str) -> Picture:
    """What a player finds in the file: the first video stream's picture, and every stream's kind."""
    with av.open(path) as container:
        video = next(s for s in container.streams.video
                     if not s.disposition & av.stream.Disposition.attached_pic)
        frame = next(container.decode(video))
        # The container's pixel aspect wins over the bitstream's, as in ffmpeg (known once decoded).
        sar = video.sample_aspect_ratio or video.codec_context.sample_aspect_ratio or Fraction(1)
        audios = list(container.streams.audio)
        channels = audios[0].codec_context.layout.nb_channels if audios else 0
        return Picture(codec=video.codec_context.codec.canonical_name, width=video.codec_context.width,
                       height=video.codec_context.height, sar=Fraction(sar),
                       rotation=int(getattr(frame, "rotation", 0) or 0) % 360, pix_fmt=frame.format.name,
                       stream_kinds=tuple(s.type for s in container.streams), audio_channels=channels)


def combed_share(path: str) -> float:
    """The share of frames ffmpeg's idet (single-frame detection) finds interlaced.

    Flat frames (the colour events) are undetermined, so a fully combed source of ours with 4 s
    of events in 10 scores about 0.55."""
    command = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-i", path, "-map", "0:v:0",
               "-vf", f"idet=intl_thres={IDET_THRESHOLD}", "-f", "null", "-"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = _IDET.findall(done.stderr)
    if not found:
        raise AssertionError(f"idet printed no verdict for {path}")
    tff, bff, progressive, undetermined = (int(n) for n in found[-1])
    frames = tff + bff + progressive + undetermined
    return (tff + bff) / frames if frames else 0.0


def audio_rms(path: str) -> float:
    """The loudness (RMS of the samples, full scale 1.0) of the file's first audio track."""
    with av.open(path) as container:
        stream = container.streams.audio[0]
        squares, count = 0.0, 0
        for frame in container.decode(stream):
            raw = frame.to_ndarray()
            samples = raw.astype(np.float64)
            if raw.dtype.kind in "iu":  # integer PCM: scale to full scale 1.0
                samples /= float(np.iinfo(raw.dtype).max)
            squares += float((samples ** 2).sum())
            count += samples.size
    return (squares / count) ** 0.5 if count else 0.0


def output_problems(source: str, clip: str, action: str) -> list[str]:
    """Everything wrong with one output clip made from `source` by `action` (empty: all good)."""
    problems = []
    src, out = picture(source), picture(clip)
    error = abs(out.display_aspect - src.display_aspect) / src.display_aspect
    if error > ASPECT_TOLERANCE:
        problems.append(f"display aspect {out.display_aspect:.4f} ({out.width}x{out.height} SAR {out.sar} "
                        f"rotated {out.rotation}) is {error:.1%} off the source's {src.display_aspect:.4f}")
    if "audio" in src.stream_kinds and "audio" not in out.stream_kinds:
        problems.append("the source has sound and the clip has none")
    if action != "copy" and action != "virtual":
        kinds = sorted(out.stream_kinds)
        if kinds not in (["video"], ["audio", "video"]):
            problems.append(f"the clip holds streams {kinds}: only the video and one audio track belong in it")
    if action == "transcode":
        if (out.codec, out.pix_fmt) not in (("h264", "yuv420p"), ("h264", "yuvj420p")):
            problems.append(f"transcoded to {out.codec} {out.pix_fmt}, not 8-bit 4:2:0 H.264")
        if out.sar != 1:
            problems.append(f"transcoded with non-square pixels (SAR {out.sar})")
        if out.width % 2 or out.height % 2:
            problems.append(f"transcoded at odd dimensions {out.width}x{out.height}")
        if out.rotation:
            problems.append(f"transcoded but still rotated by metadata ({out.rotation})")
    combed = combed_share(clip)
    if combed > MAX_COMBED_SHARE:
        problems.append(f"idet finds {combed:.0%} of the frames combed")
    return problems


def assert_output_ok(source: str, clip: str, action: str, label: Optional[str] = None) -> None:
    problems = output_problems(source, clip, action)
    assert not problems, f"{label or clip}: " + "; ".join(problems)
