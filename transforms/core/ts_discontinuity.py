"""MPEG-TS/PS clock jumps, corrected the way FFmpeg's command line corrects them. Pure.

A transport stream's clock may jump (two recordings joined, a channel change, an encoder
restart). A player goes on from the frame before, and so does `ffmpeg`: when a packet's decode
time is more than 10 s away from where its stream's next packet was expected (or more than
0.1 s before the last one), every later packet of the file is shifted back by that jump
(fftools/ffmpeg_demux.c, `ts_discontinuity_detect`, `-dts_delta_threshold`). The probe runs the
same rule over the packets it reads, so that its timeline is the one our ffmpeg writes when it
reads the file from its start. (Wraps of the 33-bit clock are undone by libavformat itself.)
"""
from __future__ import annotations

from typing import Optional

DTS_DELTA_THRESHOLD = 10.0  # seconds: ffmpeg's default -dts_delta_threshold
_BACKWARDS = 0.1            # a decode time this far before the stream's last one is a jump too


class Corrector:
    """Feed packets in file order; get each one's corrected times."""

    def __init__(self) -> None:
        self.offset = 0.0                     # seconds added to every packet from now on
        self.jumps = 0
        self._next: dict[int, float] = {}     # per stream: where its next packet is expected
        self._last: dict[int, float] = {}

    def correct(self, stream: int, dts: Optional[float], pts: Optional[float],
                duration: float) -> tuple[Optional[float], Optional[float]]:
        if dts is None:
            return dts, None if pts is None else pts + self.offset
        dts += self.offset
        pts = None if pts is None else pts + self.offset
        expected = self._next.get(stream)
        if expected is not None:
            delta = dts - expected
            if abs(delta) > DTS_DELTA_THRESHOLD or dts + _BACKWARDS < self._last[stream]:
                self.offset -= delta
                self.jumps += 1
                dts -= delta
                pts = None if pts is None else pts - delta
        self._last[stream] = dts
        self._next[stream] = dts + duration
        return dts, pts
