"""Entry point: `python -m pipeline.report OUTPUT [--report full|summary] [--to PATH]`.

Writes report.html again for a finished run's output (local or gs://; with --run_id runs, the
one OUTPUT/LATEST names): the page a person opens to look at the dataset before tuning on it.
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from transforms.report.write_report import write_report


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipeline.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("output", help="the --output of a finished run: a local folder or gs://bucket/prefix")
    parser.add_argument("--report", default="full", choices=("summary", "full"),
                        help="full (default): with a thumbnail of every shown event, taken from the written "
                             "clips (a gs:// output's clips are downloaded, each once); summary: no clip is read")
    parser.add_argument("--to", default=None,
                        help="where to write the page (default: report.html beside the run's stats.json)")
    return parser.parse_args(argv)


def run(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        written = write_report(args.output, args.report, args.to)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"Report written to {written}")
    return 0


if __name__ == "__main__":
    sys.exit(run())
