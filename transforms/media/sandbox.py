"""Run an untrusted-input tool (ffmpeg) as a child with a memory cap and no core dumps.

The limits are set by a tiny Python launcher that then exec()s the tool, so the cap applies to
the tool itself. Not a preexec_fn: that would run Python between fork and exec in a process
with gRPC threads (Beam's), which is unsafe and crashed here.
"""
from __future__ import annotations

import re
import signal
import sys

# An encode of a 4K source with x264 stays well under this; a decoder asked for a forged frame
# size or an endless allocation fails instead of taking the worker's memory.
DEFAULT_MEMORY_BYTES = 6 * 1024 ** 3

_LAUNCHER = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def limited(command: list[str], memory_bytes: int = DEFAULT_MEMORY_BYTES) -> list[str]:
    """The same command, run under a cap on its address space."""
    # -I -S: the launcher needs only built-in modules, so it skips `site` (the virtual
    # environment's path hooks) and the environment: 10 ms a launch instead of 29, paid before
    # every ffmpeg of a lane (48 on the benchmark corpus).
    return [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(int(memory_bytes)), *command]


def describe_exit(returncode: int) -> str:
    """'exit 1' or 'killed by SIGSEGV': how a child ended, for a drop's detail."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit {returncode}"


# ffmpeg names each log line's context by its address ("[out#0/mp4 @ 0x55b07a0fbf80]"), which
# changes from run to run: kept in a drop's detail it would make drops.jsonl differ on a rerun.
_ADDRESS = re.compile(r" @ 0x[0-9a-f]+")


def error_tail(stderr: str, lines: int = 3) -> str:
    """The last lines of a tool's error output, joined, without per-run addresses."""
    return " | ".join(_ADDRESS.sub("", stderr.strip()).splitlines()[-lines:])
