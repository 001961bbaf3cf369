#!/usr/bin/env bash
# One command to set everything up and run something, on a machine with only python3:
#   bash dev.sh demo   [pipeline flags]   make the demo corpus and build a dataset from it
#   bash dev.sh test   [pytest flags]     run the test suite
#   bash dev.sh run    [pipeline flags]   run the pipeline on your own manifest
#   bash dev.sh bench  [benchmark flags]  the benchmark against the floor, naive and video2dataset
#   bash dev.sh faults [--only fuzz,kill,kill_gcs,flaky,disk_full,load]  the fault scenarios (RELIABILITY.md)
# The virtual environment lives in .venv and is reinstalled only when setup.py changes.
set -euo pipefail
caller=$PWD  # demo and run read and write relative to where the user is, not this repository
cd "$(dirname "$0")"
root=$PWD

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in
  -h|--help|help) usage; exit 0 ;;
esac

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

# The report's browser test (tests/report/test_report_in_browser.py) needs Debian's chromium.
# As root (CI), install it when it is missing; otherwise that test skips and says why.
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium for the report's browser test (apt-get)..." >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
      echo "could not install chromium: the browser test will be skipped" >&2
    fi
  else
    echo "chromium is not installed (and not root to install it): the browser test will be skipped" >&2
  fi
}

command=${1:-demo}
shift || true
case "$command" in
  demo|run) cd "$caller" && exec "$root/$venv/bin/python" -m pipeline.run "$@" ;;
  test) ensure_chromium; exec "$venv/bin/python" -m pytest "$@" ;;
  bench) exec bash benchmarks/run.sh "$@" ;;
  faults) exec "$venv/bin/python" -m benchmarks.faults.run "$@" ;;
  setup) ;;  # the environment only (benchmarks/run.sh uses it)
  *) echo "dev.sh: unknown command $command" >&2; usage >&2; exit 2 ;;
esac
