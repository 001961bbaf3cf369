#!/usr/bin/env bash
# One command to set everything up and run something, on a machine with only python3:
#   bash dev.sh demo   [pipeline flags]   make the demo corpus and build a dataset from it
#   bash dev.sh test   [pytest flags]     run the test suite
#   bash dev.sh run    [pipeline flags]   run the pipeline on your own manifest
#   bash dev.sh bench  [benchmark flags]  the benchmark against the floor, naive and video2dataset
#   bash dev.sh faults [--only fuzz,kill,kill_gcs,flaky,disk_full,load]  the fault scenarios (RELIABILITY.md)
# The virtual environment lives in .venv and is reinstalled only when setup.py changes.
set -euo pipefail
cd "$(dirname "$0")"

venv=.venv
stamp="$venv/.installed-$(sha1sum setup.py | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    echo "python3 cannot make a virtual environment; on Debian/Ubuntu: apt-get install python3-venv" >&2
    exit 1
  fi
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -e ".[test]"
  rm -f "$venv"/.installed-*
  touch "$stamp"
fi

command=${1:-demo}
shift || true
case "$command" in
  demo|run) exec "$venv/bin/python" -m pipeline.run "$@" ;;
  test) exec "$venv/bin/python" -m pytest "$@" ;;
  bench) exec bash benchmarks/run.sh "$@" ;;
  faults) exec "$venv/bin/python" -m benchmarks.faults.run "$@" ;;
  setup) ;;  # the environment only (benchmarks/run.sh uses it)
  *) echo "usage: bash dev.sh demo|test|run|bench|faults [args]" >&2; exit 2 ;;
esac
