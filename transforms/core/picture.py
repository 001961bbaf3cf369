"""The picture a player shows, and the size a transcode writes it at: pure arithmetic.

A source's display aspect is its pixel aspect (SAR) times width over height, turned by its
rotation. Every transcode writes square pixels at even dimensions (4:2:0 needs them) that show
that aspect within 1%.
"""
from __future__ import annotations

from transforms.core.types import VideoInfo

# The output's aspect may differ from the source's by this much (the 1%, with room).
_ASPECT_TARGET = 0.005
# How far below the wanted height the search for even dimensions of the right aspect may go.
_HEIGHT_SEARCH = 16


def display_size(info: VideoInfo) -> tuple[float, float]:
    """(width, height) of the picture as a player shows it: pixels stretched by the SAR, then turned."""
    num, den = info.sar
    width = info.width * (num / den if num > 0 and den > 0 else 1.0)
    if info.rotation in (90, 270):
        return float(info.height), width
    return width, float(info.height)


def display_aspect(info: VideoInfo) -> float:
    width, height = display_size(info)
    return width / max(height, 1e-9)


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def output_size(info: VideoInfo, height: int) -> tuple[int, int]:
    """Even (width, height), square pixels, at most `height` tall and never taller than the picture,
    whose ratio is the source's display aspect: the first height from the top that lands within
    0.5%, else the closest."""
    aspect = display_aspect(info)
    top = min(int(height), int(display_size(info)[1]))
    top -= top % 2
    top = max(top, 2)
    best = None
    for h in range(top, max(top - _HEIGHT_SEARCH, 2) - 1, -2):
        w = _even(h * aspect)
        error = abs(w / h - aspect) / aspect
        if error <= _ASPECT_TARGET:
            return w, h
        if best is None or error < best[0]:
            best = (error, w, h)
    return best[1], best[2]
