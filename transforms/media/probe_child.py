"""A long-lived probe child: one Python with PyAV loaded answers many probes, one JSON line each.

Starting a child costs about 0.6 s (the interpreter, PyAV and our modules), while probing a
faststart MP4 costs 0.02-0.15 s: with a child per source, starting children was most of the
probe stage (24 sources took 9 s on 2 workers). So a worker keeps one child and sends it one
request after another. The isolation stays what it was with a child per source:
- a crash, a memory-cap failure or a store failure ends the child, exactly as it ended the
  one-source child (the same exit codes and stderr), and the next request starts a new one;
- a request over its time kills the child;
- a child is reused only after a clean answer: after a file it found bad, it is replaced, so
  no state a hostile file may have left in a decoder reaches the next source;
- after MAX_REQUESTS answers it is replaced too, so no slow leak grows without bound.

Child side: `python -m transforms.media.probe_child MEMORY_LIMIT` reads requests on stdin
(`{"uri", "generation", "size", "frame_times"}`) and writes one JSON answer per line on stdout.
"""
from __future__ import annotations

import dataclasses
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from typing import Any, Optional

MAX_REQUESTS = 200


@dataclasses.dataclass
class ChildDied(Exception):
    """The child ended instead of answering: its exit code and what it wrote on stderr."""
    returncode: int
    stderr: str


class ChildTimedOut(Exception):
    """No answer within the request's time: the child was killed."""


class ProbeChild:
    """The parent's handle on one probe child, started on the first request."""

    def __init__(self, memory_limit_bytes: int):
        self._memory = int(memory_limit_bytes)
        self._proc: Optional[subprocess.Popen] = None
        self._stderr = None
        self._answers = 0
        self._pending = b""

    @property
    def pid(self) -> Optional[int]:
        """The running child's process id; None before the first request and after it ended."""
        return self._proc.pid if self._proc is not None else None

    def ask(self, request: dict[str, Any], timeout_seconds: float) -> dict[str, Any]:
        """The child's answer to one probe; raises ChildDied or ChildTimedOut (the child is gone then).
        The time counts from now, so a fresh child's start-up is part of it."""
        deadline = time.monotonic() + timeout_seconds
        if self._proc is None:
            self._start()
        try:
            self._proc.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            self._proc.stdin.flush()
        except BrokenPipeError:  # it died before reading (at start-up): its stderr says why
            pass
        line = self._read_line(deadline)
        if line is None:
            raise self._died()
        answer = json.loads(line)
        self._answers += 1
        if "error" in answer or self._answers >= MAX_REQUESTS:
            self.close()
        return answer

    def close(self) -> None:
        """End the child (closing its stdin lets it exit by itself; kill it if it does not)."""
        proc, self._proc = self._proc, None
        self._answers, self._pending = 0, b""
        if proc is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _start(self) -> None:
        # stderr goes to a file: a pipe nobody reads until the child dies could fill and block it.
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "transforms.media.probe_child", str(self._memory)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)

    def _read_line(self, deadline: float) -> Optional[bytes]:
        """One answer line, or None at end of file (the child died); kills the child at the deadline."""
        fd = self._proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._pending:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    self._proc.kill()
                    self.close()
                    raise ChildTimedOut()
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return None
                self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return line

    def _died(self) -> ChildDied:
        proc = self._proc
        returncode = proc.wait()
        self._stderr.seek(0)
        stderr = self._stderr.read().decode("utf-8", "replace")
        self.close()
        return ChildDied(returncode, stderr)


def serve(memory_limit: int) -> None:
    """The child: answer probes until stdin ends. A store failure exits with TRANSIENT_EXIT and any
    other exception with its traceback (exit 1), as the one-source child did: the parent classifies
    both the same way, and a child that failed that way is not asked again."""
    from transforms.media import media_bytes
    from transforms.media.probe_media import cap_memory, probe
    cap_memory(memory_limit)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            found = probe(request["uri"], request.get("generation"), size=request.get("size"),
                          frame_times=bool(request.get("frame_times")))
        except media_bytes.SourceReadError as err:
            print(f"storage failure: {err}", file=sys.stderr, flush=True)
            sys.exit(media_bytes.TRANSIENT_EXIT)
        sys.stdout.write(json.dumps(found) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
