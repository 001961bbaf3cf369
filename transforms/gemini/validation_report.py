"""The validation report: problems, and how they are sampled and printed. Pure."""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any, Iterable, Mapping, Optional, Sequence

ERROR = "error"
WARNING = "warning"


@dataclasses.dataclass(frozen=True)
class Problem:
    severity: str
    code: str
    location: str
    detail: str


SHOWN_PER_CODE = 50


def sample_problems(groups: Iterable[Sequence[Problem]], keep: int = SHOWN_PER_CODE) -> list[Problem]:
    """The first `keep` problems (by file and line) of merged samples: what a report shows of one code."""
    merged = [p for group in groups for p in group]
    return sorted(merged, key=lambda p: (_location_key(p.location), p.detail))[:keep]


def report_text(problems: Sequence[Problem], lines: int, videos: int, profile_name: str,
                counts: Optional[Mapping[tuple[str, str], int]] = None) -> str:
    """Problems grouped by code, errors first, each group with its locations (sorted by file and line).

    `counts` ((severity, code) -> how many) when `problems` holds only a sample of each code.
    """
    by_code: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        by_code[(p.severity, p.code)].append(p)
    counts = dict(counts) if counts is not None else {k: len(v) for k, v in by_code.items()}
    errors = sum(n for (severity, _), n in counts.items() if severity == ERROR)
    warnings = sum(n for (severity, _), n in counts.items() if severity == WARNING)
    out = [f"Validated {lines:,} lines referencing {videos:,} videos against {profile_name}: "
           f"{errors} errors, {warnings} warnings"]
    for title, severity in (("ERRORS", ERROR), ("WARNINGS", WARNING)):
        codes = sorted((c for s, c in counts if s == severity), key=lambda c: (-counts[(severity, c)], c))
        if not codes:
            continue
        out.append(title)
        for code in codes:
            total = counts[(severity, code)]
            items = sorted(by_code[(severity, code)], key=lambda p: _location_key(p.location))[:SHOWN_PER_CODE]
            out.append(f"  {code} ({total}):")
            out.extend(f"    {p.location}: {p.detail}" for p in items)
            if total > len(items):
                out.append(f"    ... and {total - len(items)} more")
    out.append("Result: " + ("FAIL" if errors else "PASS"))
    return "\n".join(out)


def _location_key(location: str) -> tuple:
    path, _, number = location.rpartition(":")
    return (path, int(number)) if number.isdigit() else (location, 0)


def problems_from_json(items: Iterable[Mapping[str, Any]]) -> list[Problem]:
    return [Problem(**item) for item in items]

