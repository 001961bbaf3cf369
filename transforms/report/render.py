"""The report as one self-contained HTML page: Jinja2 templates, SVG drawn in them, no script.

Nothing is loaded from elsewhere (no CDN, no font, no image file): the page opens offline, from
a laptop's disk or a bucket, and looks the same everywhere.
"""
from __future__ import annotations

import math
import re

import jinja2
from markupsafe import Markup, escape

from transforms.report.model import Report
from transforms.report.timelines import ticks

ACTION_COLOURS = {"copy": "#2e7d32", "remux": "#00897b", "cut": "#1e88e5", "transcode": "#ef6c00",
                  "virtual": "#8e24aa"}


def clock(seconds) -> str:
    """`M:SS`, `H:MM:SS`, with a tenth when the time has one: a person's reading of a time."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "?"
    tenths = round(float(seconds) * 10)
    whole, tenth = divmod(tenths, 10)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return text + (f".{tenth}" if tenth else "")


def inline_code(text: str) -> Markup:
    """The README's `code` spans as <code>, everything else escaped."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("transforms.report", "templates"),
                             autoescape=jinja2.select_autoescape(("html", "j2")),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["clock"] = clock
    env.filters["code"] = inline_code
    env.globals["ticks"] = ticks
    env.globals["colour"] = lambda action: ACTION_COLOURS.get(action, "#757575")
    env.globals["colours"] = ACTION_COLOURS
    return env


def render_html(report: Report) -> str:
    """The same records give the same bytes (no clock in the page), like the rest of the dataset."""
    return _environment().get_template("report.html.j2").render(r=report)
