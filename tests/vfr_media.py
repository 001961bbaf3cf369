"""A variable-frame-rate colour-event video, and the decoded frames a labelling tool counts."""
from __future__ import annotations

import os
import subprocess
from typing import Sequence

from pipeline.synthetic_media import COLORS, Event
from tests.media_checks import centre_colours, colour_name
from transforms.media.ffmpeg_commands import ffmpeg_binary

SLOW_UNTIL = 10.0   # 5 frames a second before this time, 30 after it


def make_vfr_video(folder: str, name: str, seconds: float, events: Sequence[Event]) -> str:
    """An H.264 MP4 whose first SLOW_UNTIL seconds run at 5 fps and the rest at 30 fps.

    Made at 30 fps with colours painted by time, then every sixth frame kept before SLOW_UNTIL,
    written with the kept frames' own timestamps (`-fps_mode vfr`): `frames / nominal fps` is
    seconds off here, the real timestamps are not.
    """
    path = os.path.join(folder, name)
    if os.path.exists(path):
        return path
    boxes = [f"drawbox=enable='between(t,{e.start},{e.end})':x=0:y=0:w=iw:h=ih:"
             f"c=0x{''.join(f'{c:02x}' for c in COLORS[e.color])}:t=fill" for e in events]
    select = f"select='gte(t\\,{SLOW_UNTIL})+not(mod(n\\,6))'"
    tmp = path + ".tmp.mp4"
    subprocess.run([ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"color=c=0x808080:s=320x240:r=30:d={seconds}", "-vf", ",".join(boxes + [select]),
                    "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-force_key_frames", "expr:gte(t,n_forced*2)", tmp], check=True)
    os.replace(tmp, path)
    return path


def decoded_frames(path: str) -> list[tuple[float, str]]:
    """(time, colour name) of every frame in the order a player shows them: what a labeller steps through."""
    frames = [(t, colour_name(rgb)) for t, rgb in centre_colours(path)]
    first = frames[0][0]
    return [(t - first, c) for t, c in frames]


def frames_showing(frames: list[tuple[float, str]], colour: str) -> tuple[int, int]:
    """The first and last frame index that shows `colour` (a labeller's track from first to last sight)."""
    indices = [i for i, (_, c) in enumerate(frames) if c == colour]
    return indices[0], indices[-1]
