from __future__ import annotations

from transforms.report.summary import clips_by_cause, drop_groups, tiles
from tests.report.records import drop, index_row

STATS = {"rows_in": 10, "rows_out": 8, "rows_dropped": 2, "drop_rate": 0.2, "examples": {"train": 9, "validation": 1},
         "media_seconds_in": 7200.0, "media_bytes_in": 5e8, "media_seconds_out": 3600.0, "media_bytes_out": 2e8,
         "sources": 4, "est_tokens": {"train": 900, "validation": 100}, "est_tokens_total": 1000, "clips": 5,
         "clips_by_action": {"copy": 2, "transcode": 3}, "clips_made": 4, "clips_reused": 1,
         "cost": {"billed_tokens": 1800, "epochs": 2, "profile": "gemini-2.5", "est_cost": None},
         "gate": {"verdict": "fail", "reasons": ["2 of 10 rows dropped"], "max_drop_rate": 0.1}}


def test_tiles_say_the_figures_and_flag_the_gate():
    by_title = {t.title: t for t in tiles(STATS, [])}
    assert by_title["Gate"].value == "FAIL" and by_title["Gate"].bad
    assert by_title["Drop rate"].value == "20.0%" and by_title["Drop rate"].bad
    assert by_title["Drop rate"].detail == "gate: at most 10.0%"
    assert by_title["Examples"].detail == "train 9, validation 1"
    assert by_title["Media"].value == "1.00 h out" and "2.00 h in" in by_title["Media"].detail
    assert by_title["Made vs reused"].value == "4 made, 1 reused"
    assert by_title["Tuning cost"].value == "1,800 billed tokens"


def test_clips_are_counted_once_with_their_cause():
    index = [index_row("a", 0, 0, 10, action="transcode", cause="rotated 90"),
             index_row("b", 0, 0, 10, action="transcode", cause="rotated 90"),
             index_row("c", 0, 0, 10, action="copy", cause="complies")]
    index[1]["file_uri"] = index[0]["file_uri"]  # two rows on one clip
    assert clips_by_cause(index) == {"copy (complies)": 1, "transcode (rotated 90)": 1}


def test_drop_groups_rows_first_with_help_and_capped_records():
    drops = [drop(f"r{i}", "unreadable_media") for i in range(5)] + [drop("m", "malformed_row", source="")]
    drops += [drop("", "cut_failed", kind="clip", stage="cut")] * 7
    groups = drop_groups(drops, max_records=3)
    assert [(g.kind, g.reason, g.count) for g in groups] == [
        ("row", "unreadable_media", 5), ("row", "malformed_row", 1), ("clip", "cut_failed", 7)]
    first = groups[0]
    assert len(first.records) == 3 and first.hidden == 2 and first.width == round(100 * 5 / 7, 2)
    assert first.help.fix == "re-export the file" and first.anchor == "drop-row-unreadable_media"
