"""Run one command and measure what it cost: wall, CPU, peak RSS of its process tree, bytes moved.

`python -m benchmarks.measure OUT.json -- CMD...` runs CMD as its child and writes the figures.
The CPU time and I/O counts come from the kernel when the child (and, through it, every
process it waited for) is reaped: rusage of the child, and this process's /proc/self/io, to
which Linux adds every reaped descendant's counts. Peak RSS is sampled every 50 ms over the
whole tree (the sum of every descendant's resident memory), and the largest single process
is kept too.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(name))
    return tree


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int) -> tuple[int, int]:
    """(sum, max) of the resident memory of `root` and all its descendants."""
    tree = _children()
    total, largest, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        rss = _rss_bytes(pid)
        total += rss
        largest = max(largest, rss)
        todo.extend(tree.get(pid, ()))
    return total, largest


def _io_counts() -> dict[str, int]:
    with open("/proc/self/io") as handle:
        return {k: int(v) for k, v in (line.split(":") for line in handle)}


def measure(command: list[str], env: dict | None = None, cwd: str | None = None) -> dict:
    before = _io_counts()
    start = time.monotonic()
    proc = subprocess.Popen(command, env=env, cwd=cwd)
    peak = {"tree": 0, "process": 0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            total, largest = tree_rss(proc.pid)
            peak["tree"] = max(peak["tree"], total)
            peak["process"] = max(peak["process"], largest)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    after = _io_counts()
    return {
        "exit_code": proc.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_tree_mb": round(peak["tree"] / 1e6, 1),
        "peak_rss_process_mb": round(peak["process"] / 1e6, 1),
        "read_mb": round((after["rchar"] - before["rchar"]) / 1e6, 1),
        "written_mb": round((after["wchar"] - before["wchar"]) / 1e6, 1),
    }


def main() -> None:
    out, sep, *command = sys.argv[1:]
    assert sep == "--", "usage: python -m benchmarks.measure OUT.json -- CMD..."
    result = measure(command)
    with open(out, "w") as handle:
        json.dump(result, handle)
    sys.exit(result["exit_code"])


if __name__ == "__main__":
    main()
