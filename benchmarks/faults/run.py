"""`bash dev.sh faults`: every fault scenario, its figures saved and RELIABILITY.md's table rewritten.

    bash dev.sh faults                      # all six (the load scenario takes the longest)
    bash dev.sh faults --only fuzz,kill     # some of them; the others keep their saved figures

Each scenario writes benchmarks/faults/results/NAME.json; the table is rendered from those files
only (benchmarks/faults/report.py). Exits 1 when any scenario found a problem.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

from benchmarks.faults import report

SCENARIOS = ("fuzz", "kill", "kill_gcs", "flaky", "disk_full", "load")


def _run(name: str, work: str) -> dict:
    folder = os.path.join(work, name)
    if name == "fuzz":
        from benchmarks.faults.fuzz import fuzz
        return fuzz(folder, seed=15, per_container=50, batch_size=50)
    if name == "kill":
        from benchmarks.faults.kill import kill_scenario
        return kill_scenario(folder)
    if name == "kill_gcs":
        from benchmarks.faults.kill_gcs import kill_gcs_scenario
        return kill_gcs_scenario(folder)
    if name == "flaky":
        from benchmarks.faults.flaky import flaky_scenario
        return flaky_scenario(folder)
    if name == "disk_full":
        from benchmarks.faults.disk_full import disk_full_scenario
        return disk_full_scenario(folder)
    from benchmarks.faults.load import load_scenario
    return load_scenario(folder)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--work", default=None, help="scratch folder (default: a new temporary one)")
    args = parser.parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix="faults-")
    os.makedirs(report.RESULTS, exist_ok=True)
    failed = []
    for name in args.only.split(","):
        started = time.monotonic()
        print(f"== {name} (work: {os.path.join(work, name)})", flush=True)
        result = _run(name, work)
        result["scenario_seconds"] = round(time.monotonic() - started, 1)
        with open(os.path.join(report.RESULTS, f"{name}.json"), "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=1)
        problems = result.get("problems", [])
        print(f"   {name}: {'ok' if not problems else f'{len(problems)} problems'} "
              f"in {result['scenario_seconds']:.0f} s", flush=True)
        for problem in problems[:20]:
            print(f"   - {problem[:400]}")
        if problems:
            failed.append(name)
    report.write_table(os.path.join(os.path.dirname(report.RESULTS), "..", "..", "RELIABILITY.md"))
    print(report.table())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
