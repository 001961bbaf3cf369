"""The command-line tail every fault scenario shares: --work and --json, then the summary printed
(and saved) and the exit code (1 when the scenario found a problem)."""
from __future__ import annotations

import argparse
import json
from typing import Optional


def scenario_parser(doc: str) -> argparse.ArgumentParser:
    """A parser described by the module's first paragraph, with --work (required) and --json."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--work", required=True, help="scratch folder of the scenario")
    parser.add_argument("--json", default=None, help="also save the summary to this file")
    return parser


def finish(summary: dict, json_path: Optional[str]) -> int:
    """Print (and save to `json_path`) the summary; 0 when it lists no problem, else 1."""
    if json_path:
        with open(json_path, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=1)
    print(json.dumps(summary, indent=1))
    return 0 if not summary["problems"] else 1
