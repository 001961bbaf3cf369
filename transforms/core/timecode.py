"""Parse and format the times that manifests and tuning examples carry.

Every time in this project is a float number of seconds since the first frame a player
shows. Manifests may spell it many ways; tuning examples spell it the way Google
recommends (`MM:SS`), and `videoMetadata` offsets as protobuf Duration strings.
"""
from __future__ import annotations

import math
import re

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*s\s*$")
_CLOCK_RE = re.compile(r"^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)\s*$")


class TimeFormatError(ValueError):
    """A time value that none of the accepted spellings matches."""


def parse_time(value: object) -> float:
    """Seconds from a number, `"12.5s"`, `"SS"`, `"MM:SS"` or `"HH:MM:SS"` (fractions allowed).

    Raises TimeFormatError with the offending value for anything else, including negative,
    NaN, infinite values, booleans and clock fields out of range (`"01:75"`).
    """
    if isinstance(value, bool) or value is None:
        raise TimeFormatError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_time_string(value)
    else:
        raise TimeFormatError(f"not a time: {value!r}")
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        raise TimeFormatError(f"time must be a finite number of seconds >= 0, got {value!r}")
    return seconds


def parse_video_offset(value: object) -> "float | None":
    """A `videoMetadata` startOffset/endOffset in seconds; None when absent.

    Takes a Duration string (`"12.5s"`), a number, or the proto form `{"seconds": 60, "nanos": 0}`.
    Raises TimeFormatError for anything else. The one parser of these offsets (repair mode reads
    them, validate checks them).
    """
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        try:
            value = float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
        except (TypeError, ValueError):
            raise TimeFormatError(f"not a Duration: {value!r}") from None
    return parse_time(value)


def _parse_time_string(text: str) -> float:
    match = _DURATION_RE.match(text)
    if match:
        return float(match.group(1))
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not _CLOCK_RE.match(text):
        raise TimeFormatError(
            f"not a time: {text!r} (use seconds, '12.5s', 'MM:SS' or 'HH:MM:SS')")
    *whole, last = parts
    if any(not p.isdigit() for p in whole):
        raise TimeFormatError(f"not a time: {text!r}")
    fields = [int(p) for p in whole] + [float(last)]
    # The leading field may be any size ("75:00" is 75 minutes); later ones are clock fields.
    if any(f >= 60 for f in fields[1:]):
        raise TimeFormatError(f"clock field out of range in {text!r}")
    seconds = 0.0
    for field in fields:
        seconds = seconds * 60 + field
    return seconds


def format_clock(seconds: float, decimals: int = 0) -> str:
    """`MM:SS` (minutes may exceed 59), or `MM:SS.fff` with `decimals` fractional digits.

    Rounds to the nearest representable value, so 12.6 s is "00:13".
    """
    if seconds < 0:
        raise ValueError(f"negative time {seconds}")
    scale = 10 ** decimals
    ticks = round(seconds * scale)
    minutes, rest = divmod(ticks, 60 * scale)
    whole, frac = divmod(rest, scale)
    text = f"{minutes:02d}:{whole:02d}"
    if decimals:
        text += f".{frac:0{decimals}d}"
    return text


def format_duration(seconds: float) -> str:
    """A protobuf Duration string as `videoMetadata` wants it: `"5s"`, `"1.500s"`, `"0.040s"`.

    Canonical protobuf JSON uses 0, 3, 6 or 9 fractional digits; we use the fewest of
    those that represent the value to the microsecond.
    """
    if seconds < 0:
        raise ValueError(f"negative duration {seconds}")
    micros = round(seconds * 1_000_000)
    whole, frac = divmod(micros, 1_000_000)
    if frac == 0:
        return f"{whole}s"
    if frac % 1000 == 0:
        return f"{whole}.{frac // 1000:03d}s"
    return f"{whole}.{frac:06d}s"
