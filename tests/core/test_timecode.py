import math

import pytest

from transforms.core.timecode import TimeFormatError, format_clock, format_duration, parse_time


@pytest.mark.parametrize("value, expected", [
    (0, 0.0),
    (12, 12.0),
    (12.5, 12.5),
    ("0", 0.0),
    ("7", 7.0),
    ("  7  ", 7.0),
    ("12.5s", 12.5),
    ("12.5 s", 12.5),
    ("  3s ", 3.0),
    ("90", 90.0),
    ("01:30", 90.0),
    ("1:2", 62.0),
    ("00:59.5", 59.5),
    ("75:00", 4500.0),          # the leading field may exceed 59
    ("1:02:03", 3723.0),
    ("01:02:03.25", 3723.25),
    ("100:00:00", 360000.0),
    (" 00:10 ", 10.0),
])
def test_parse_time_accepts(value, expected):
    result = parse_time(value)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("value", [
    -1,
    -0.5,
    "-1",
    "-00:05",
    float("nan"),
    float("inf"),
    True,
    False,
    None,
    [1],
    {"s": 1},
    "",
    "   ",
    "abc",
    "01:75",
    "00:60",
    "00:60.0",
    "1:75:00",
    "00:00:60",
    "1:2:3:4",
    "1.5:30",
    "12.5ms",
    "1:30s",
    "5.",
    ".5",
    "1e3",
    "nan",
    "1: 30",
])
def test_parse_time_rejects(value):
    with pytest.raises(TimeFormatError):
        parse_time(value)


def test_time_format_error_is_a_value_error_and_names_the_value():
    with pytest.raises(ValueError) as info:
        parse_time("01:75")
    assert "01:75" in str(info.value)


@pytest.mark.parametrize("seconds, decimals, expected", [
    (0, 0, "00:00"),
    (5, 0, "00:05"),
    (12.4, 0, "00:12"),
    (12.6, 0, "00:13"),
    (59.6, 0, "01:00"),          # rounding carries into the minutes
    (61, 0, "01:01"),
    (3725.4, 0, "62:05"),        # minutes may exceed 59
    (61.25, 2, "01:01.25"),
    (5.26, 1, "00:05.3"),
    (59.999, 2, "01:00.00"),
    (0.04, 3, "00:00.040"),
    (125.5, 3, "02:05.500"),
])
def test_format_clock(seconds, decimals, expected):
    assert format_clock(seconds, decimals) == expected


def test_format_clock_rejects_negative():
    with pytest.raises(ValueError):
        format_clock(-0.1)


@pytest.mark.parametrize("seconds, expected", [
    (0, "0s"),
    (5, "5s"),
    (5.0, "5s"),
    (1.5, "1.500s"),
    (0.04, "0.040s"),
    (12.345, "12.345s"),
    (1.234567, "1.234567s"),
    (90.1234, "90.123400s"),
    (0.0000015, "0.000002s"),     # rounded to the microsecond
    (2.0000004, "2s"),
    (3600, "3600s"),
])
def test_format_duration(seconds, expected):
    assert format_duration(seconds) == expected


@pytest.mark.parametrize("seconds", [0, 1.5, 0.04, 1.234567, 3600.000001])
def test_format_duration_uses_canonical_digit_counts(seconds):
    text = format_duration(seconds)
    assert text.endswith("s")
    number = text[:-1]
    digits = len(number.split(".")[1]) if "." in number else 0
    assert digits in (0, 3, 6)
    assert math.isclose(float(number), seconds, abs_tol=1e-6)


def test_format_duration_rejects_negative():
    with pytest.raises(ValueError):
        format_duration(-1)
