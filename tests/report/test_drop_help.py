"""The report's drop help says what the README's drop table says, for every reason there is."""
from __future__ import annotations

import os
import re

from transforms.core.types import DropReason
from transforms.report.drop_help import DROP_HELP

README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "README.md")


def _readme_table() -> dict[str, tuple[str, str, str]]:
    with open(README, encoding="utf-8") as handle:
        section = handle.read().split("## Drop reasons", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", section, flags=re.MULTILINE)
    return {code: (stage, cause, fix) for code, stage, cause, fix in rows}


def test_drop_help_is_the_readme_table():
    assert {code: tuple(help_) for code, help_ in DROP_HELP.items()} == _readme_table()


def test_every_drop_reason_has_help():
    assert set(DROP_HELP) == {r.value for r in DropReason}
