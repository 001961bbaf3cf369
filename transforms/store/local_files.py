"""Whole-or-nothing files on a local disk, and the sweep of what a killed writer left behind.

A file is written under a temporary name beside its final one (`NAME.tmp-HEX`) and renamed over
it when complete, so a reader sees the old file or the new one, never half of one. A writer
killed mid-write (SIGKILL, a preempted machine) cannot remove its temporary file, so each writer
holds an exclusive lock (flock) on it while it writes: the kernel drops the lock when the writer
dies, and `sweep_orphans` removes exactly the temporary files nobody holds, never one a live
writer (another run on the same folder) is still filling.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import uuid
from typing import BinaryIO, Iterator

_TMP = re.compile(r"\.tmp-[0-9a-f]{32}$")


def temporary_name(path: str) -> str:
    return f"{path}.tmp-{uuid.uuid4().hex}"


def is_temporary(name: str) -> bool:
    return bool(_TMP.search(name))


@contextlib.contextmanager
def atomic_writer(path: str) -> Iterator[BinaryIO]:
    """A handle on a locked temporary file that becomes `path` when the block ends without error.

    On an error (a full disk) the temporary file is removed and the error raised: never a partial
    file under any name.
    """
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = temporary_name(path)
    handle = open(tmp, "wb")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield handle
        handle.flush()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    finally:
        handle.close()  # also drops the lock


def write_file(path: str, data: bytes) -> None:
    with atomic_writer(path) as handle:
        handle.write(data)


def copy_into(src: str, path: str) -> None:
    """Copy a file to `path`, whole or not at all."""
    with open(src, "rb") as source, atomic_writer(path) as handle:
        shutil.copyfileobj(source, handle, 8 * 1024 * 1024)


def move_into(src: str, path: str) -> None:
    """Move a finished file to `path`: one rename on the same disk (atomic), else a copy."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        os.replace(src, path)
    except OSError:  # another filesystem
        copy_into(src, path)
        os.remove(src)


def sweep_orphans(folder: str) -> list[str]:
    """Remove every temporary file under `folder` that no live writer holds; return their paths."""
    removed = []
    for root, _, names in os.walk(folder):
        for name in names:
            if not is_temporary(name):
                continue
            path = os.path.join(root, name)
            try:
                handle = open(path, "rb")
            except OSError:  # renamed or removed meanwhile
                continue
            with handle:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live writer holds it
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
                    removed.append(path)
    return removed
