"""The page: what it holds, and that it stays a few MB for 100,000 examples."""
from __future__ import annotations

import html
import re

from transforms.report.model import build_report, with_pictures
from transforms.report.read_output import OutputRecords
from transforms.report.render import clock, inline_code, render_html
from tests.report.records import drop, facts, index_row
from tests.report.test_summary import STATS


def _records(sources: int, clips_per_source: int) -> OutputRecords:
    index, lines = [], {}
    for s in range(sources):
        for c in range(clips_per_source):
            row = index_row(f"row{s}", c, 60.0 * c, 60.0 * c + 60, source=f"gs://b/v/{s}.mp4",
                            clip_count=clips_per_source, source_duration=60.0 * clips_per_source)
            index.append(row)
            lines[row["line_sha1"]] = facts((10.0, 14.0, "red"), (58.0, 60.0, "at the cut"))
    drops = [drop(f"bad{i}", "unreadable_media", source=f"gs://b/bad/{i}.mp4") for i in range(5000)]
    return OutputRecords(dataset_dir="gs://b/out", stats=STATS, index=index, drops=drops, lines=lines)


def test_clock_and_code():
    assert [clock(0), clock(65.0), clock(3725.3), clock(9.96)] == ["0:00", "1:05", "1:02:05.3", "0:10"]
    assert str(inline_code("use `--x <y>` & go")) == "use <code>--x &lt;y&gt;</code> &amp; go"


def test_page_for_100000_examples_is_a_few_mb_and_says_what_it_left_out():
    report = build_report(_records(sources=20_000, clips_per_source=5), "summary")
    page = render_html(report)
    assert len(page.encode()) < 500_000
    assert page.count("data-timeline") == 200
    assert "25000 source videos" in page and "24800 are not shown" in page
    shown = page.count("data-strip=")
    assert shown == 120 and f"{shown} of 100000 examples shown" in page
    assert "and 4950 more in drops.jsonl" in page
    # With a thumbnail of 5 KB (a busy frame at 72 pixels is 2 to 5 KB) for every shot shown.
    pictures = {s.key: ["data:image/jpeg;base64," + "A" * 6_700] * len(s.shots) for s in report.strips.strips}
    full = render_html(with_pictures(report, pictures, []))
    assert full.count('class="thumb"') == 120 * 2 and len(full.encode()) < 2_500_000


def test_page_holds_pictures_and_escapes_what_users_wrote():
    records = _records(sources=2, clips_per_source=2)
    records.drops.append({**drop("<b>x</b>", "bad_time", source=""), "detail": "<script>alert(1)</script>"})
    report = build_report(records, "full")
    pictures = {s.key: ["data:image/jpeg;base64,AAAA"] * len(s.shots) for s in report.strips.strips}
    page = render_html(with_pictures(report, pictures, ["clip not found: gs://b/out/media/x.mp4"]))
    assert "<script" not in page and html.escape("<script>alert(1)</script>") in page
    assert page.count('class="thumb"') == sum(len(s.shots) for s in report.strips.strips) == 8
    assert "clip not found: gs://b/out/media/x.mp4" in page
    assert re.search(r'<a href="#drop-row-unreadable_media">', page)


def test_the_same_records_give_the_same_page():
    assert render_html(build_report(_records(3, 2))) == render_html(build_report(_records(3, 2)))
