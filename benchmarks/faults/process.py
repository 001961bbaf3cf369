"""Run the real pipeline command as a child in its own process group: time it, watch its memory,
and kill every process of it at once (SIGKILL to the group: the runner, its workers, ffmpeg,
probe children).

Memory is sampled from /proc every 0.2 s: the peak of the group's summed RSS and of its largest
process. Linux only, like the workers.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Callable, Optional, Sequence

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclasses.dataclass
class Outcome:
    returncode: Optional[int]   # None: killed by us
    seconds: float
    peak_rss_bytes: int         # the whole group, summed
    peak_process_rss_bytes: int
    stdout: str
    stderr: str
    timed_out: bool = False
    killed: bool = False


def group_members(pgid: int) -> list[int]:
    """The pids whose process group is `pgid` (read from /proc/PID/stat)."""
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != b"Z":
            members.append(int(name))
    return members


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def pipeline_command(args: Sequence[str]) -> list[str]:
    """`python -m pipeline.run ARGS`: the documented command, with this interpreter (the venv's)."""
    return [sys.executable, "-m", "pipeline.run", *args]


class GroupRun:
    """One child in its own process group, with a memory sampler; `kill()` kills the group."""

    def __init__(self, command: Sequence[str], cwd: Optional[str] = None, env: Optional[dict] = None,
                 log_prefix: Optional[str] = None):
        # Files, not pipes: a child polled (not read) for minutes must never block on a full pipe.
        self._log_prefix = log_prefix or tempfile.mktemp(prefix="pipeline-")
        out, err = open(f"{self._log_prefix}.out", "wb"), open(f"{self._log_prefix}.err", "wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        err.close()
        self.pgid = self.process.pid  # a new session: its leader's pid is the group id
        self.peak_rss = 0
        self.peak_process_rss = 0
        self.killed = False
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            sizes = [_rss(pid) for pid in group_members(self.pgid)]
            if sizes:
                self.peak_rss = max(self.peak_rss, sum(sizes))
                self.peak_process_rss = max(self.peak_process_rss, max(sizes))
            self._stop.wait(0.2)

    def kill(self) -> None:
        """SIGKILL every process of the group, and wait until none is left."""
        self.killed = True
        try:
            os.killpg(self.pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        deadline = time.monotonic() + 10
        while group_members(self.pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = group_members(self.pgid)
        if left:
            raise RuntimeError(f"processes survived SIGKILL of group {self.pgid}: {left}")

    def wait(self, timeout: float) -> Outcome:
        timed_out = False
        try:
            self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.kill()
        return self._outcome(timed_out)

    def wait_until(self, condition: Callable[[], bool], timeout: float, poll: float = 0.05) -> bool:
        """Poll `condition` until it holds (True) or the child ends or time runs out (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(poll)
        return False

    def _outcome(self, timed_out: bool) -> Outcome:
        self._stop.set()
        self._sampler.join()
        seconds = time.monotonic() - self.started
        with open(f"{self._log_prefix}.out", encoding="utf-8", errors="replace") as handle:
            stdout = handle.read()
        with open(f"{self._log_prefix}.err", encoding="utf-8", errors="replace") as handle:
            stderr = handle.read()
        return Outcome(returncode=None if (self.killed or timed_out) else self.process.returncode,
                       seconds=seconds, peak_rss_bytes=self.peak_rss,
                       peak_process_rss_bytes=self.peak_process_rss, stdout=stdout, stderr=stderr,
                       timed_out=timed_out, killed=self.killed)

    def finish_killed(self) -> Outcome:
        return self._outcome(False)


def run_pipeline(args: Sequence[str], timeout: float, cwd: Optional[str] = None, env: Optional[dict] = None,
                 log_prefix: Optional[str] = None) -> Outcome:
    """The pipeline to its end (or killed at `timeout`)."""
    return GroupRun(pipeline_command(args), cwd=cwd, env=env, log_prefix=log_prefix).wait(timeout)
