"""A worker's scratch folder, and the removal of those of dead workers on the same machine.

A DoFn's scratch (the sources it downloads, the clip it encodes) is removed in teardown, which
a killed worker never runs: its folder would stay in the temporary directory, a whole source
each, until the disk fills. So each folder is named by its owner's pid (`cut-PID-XXXX`), and
a worker making its own first removes every folder of its kind whose owner no longer runs.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def sweep_dead(prefix: str, base: str | None = None) -> list[str]:
    """Remove the `PREFIXPID-*` folders of processes that no longer run; return their paths."""
    base = base or tempfile.gettempdir()
    owned = re.compile(re.escape(prefix) + r"(\d+)-")
    removed = []
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    for name in names:
        match = owned.match(name)
        if match and not _alive(int(match.group(1))):
            path = os.path.join(base, name)
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def make_scratch(prefix: str) -> str:
    """A new scratch folder for this process, after sweeping the dead ones of this kind."""
    sweep_dead(prefix)
    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")
