"""Helpers the tests use to look at real media: probe a file, read the colour at a time."""
from __future__ import annotations

from typing import Optional

import av
import numpy as np

from pipeline.synthetic_media import BACKGROUND, COLORS


def media_duration(path: str) -> float:
    """Seconds from the first packet of any stream to the end of the last: what a player plays."""
    start, end = None, None
    with av.open(path) as container:
        for packet in container.demux():
            if packet.pts is None:
                continue
            t0 = float(packet.pts * packet.time_base)
            t1 = t0 + float((packet.duration or 0) * packet.time_base)
            start = t0 if start is None else min(start, t0)
            end = t1 if end is None else max(end, t1)
    return (end - start) if start is not None else 0.0


class FrameReader:
    """The colour a player shows at a time t (seconds since the clip's first frame)."""

    def __init__(self, path: str):
        self._frames: list[tuple[float, np.ndarray]] = []
        with av.open(path) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                rgb = frame.to_ndarray(format="rgb24")
                h, w, _ = rgb.shape
                centre = rgb[h // 4: 3 * h // 4, w // 4: 3 * w // 4].reshape(-1, 3).mean(axis=0)
                self._frames.append((float(frame.time), centre))
        self._frames.sort(key=lambda f: f[0])
        self.first = self._frames[0][0]

    def colour_at(self, t: float) -> np.ndarray:
        target = self.first + t
        shown = self._frames[0][1]
        for time, colour in self._frames:
            if time <= target + 1e-6:
                shown = colour
            else:
                break
        return shown


def colour_name(rgb: np.ndarray, tolerance: float = 60.0) -> Optional[str]:
    """The named colour (or 'background') the pixel is closest to, when within tolerance."""
    best, best_distance = None, tolerance
    for name, value in list(COLORS.items()) + [("background", BACKGROUND)]:
        distance = float(np.abs(rgb - np.array(value)).max())
        if distance < best_distance:
            best, best_distance = name, distance
    return best
