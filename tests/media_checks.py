"""Helpers the tests use to look at real media: probe a file, read the colour at a time."""
from __future__ import annotations

import bisect
from typing import Optional

import av
import numpy as np
from av.video.reformatter import VideoReformatter

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


# Frames are shrunk to this before their centre is averaged: the painted colours fill the
# centre, and one reused scaler at this size is ~5x cheaper than a full-size RGB frame each.
_SAMPLE_SIZE = (64, 48)


def centre_colours(path: str, options: Optional[dict] = None) -> list[tuple[float, np.ndarray]]:
    """(time, mean RGB of the picture's centre half) of every decoded frame, in time order."""
    frames = []
    scaler = VideoReformatter()
    with av.open(path, options=options or {}) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            rgb = scaler.reformat(frame, format="rgb24", width=_SAMPLE_SIZE[0], height=_SAMPLE_SIZE[1]).to_ndarray()
            h, w, _ = rgb.shape
            frames.append((float(frame.time), rgb[h // 4: 3 * h // 4, w // 4: 3 * w // 4].reshape(-1, 3).mean(axis=0)))
    frames.sort(key=lambda f: f[0])
    return frames


class FrameReader:
    """The colour a player shows at a time t (seconds since the clip's first frame)."""

    def __init__(self, path: str):
        self._frames = centre_colours(path)
        self._times = [t for t, _ in self._frames]
        self.first = self._frames[0][0]

    def colour_at(self, t: float) -> np.ndarray:
        """The last frame shown at or before t (the first frame before the first)."""
        i = bisect.bisect_right(self._times, self.first + t + 1e-6) - 1
        return self._frames[max(i, 0)][1]


def colour_name(rgb: np.ndarray, tolerance: float = 60.0) -> Optional[str]:
    """The named colour (or 'background') the pixel is closest to, when within tolerance."""
    best, best_distance = None, tolerance
    for name, value in list(COLORS.items()) + [("background", BACKGROUND)]:
        distance = float(np.abs(rgb - np.array(value)).max())
        if distance < best_distance:
            best, best_distance = name, distance
    return best
