"""The README's drop-reason table documents every code, and only codes that exist."""
from __future__ import annotations

import os
import re

from transforms.core.types import DropReason

README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "README.md")


def _table_codes() -> list[str]:
    with open(README, encoding="utf-8") as handle:
        text = handle.read()
    section = text.split("## Drop reasons", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \| [^|]+ \| [^|]+ \| [^|]+ \|$", section, flags=re.MULTILINE)


def test_every_drop_reason_has_a_row_with_cause_and_fix():
    codes = _table_codes()
    assert sorted(codes) == sorted(r.value for r in DropReason)
    assert len(codes) == len(set(codes))
