"""pipeline.run's exit: the code, the flushed output and the atexit handlers, without the teardown."""
from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_exit_keeps_the_code_the_output_and_the_atexit_handlers():
    done = _python(
        "import atexit, sys\n"
        "from pipeline.run import exit_without_teardown\n"
        "atexit.register(lambda: print('atexit ran', file=sys.stderr))\n"
        "print('summary line', end='')\n"  # no newline: only an explicit flush writes it to a pipe
        "exit_without_teardown(3)\n"
        "print('not reached')\n")
    assert done.returncode == 3
    assert done.stdout == "summary line"
    assert "atexit ran" in done.stderr


def test_exit_waits_for_a_running_thread_of_ours():
    done = _python(
        "import threading, time\n"
        "from pipeline.run import exit_without_teardown\n"
        "def late():\n"
        "    time.sleep(0.5)\n"
        "    print('thread finished', flush=True)\n"
        "threading.Thread(target=late).start()\n"
        "exit_without_teardown(0)\n")
    assert done.returncode == 0
    assert done.stdout.strip() == "thread finished"
