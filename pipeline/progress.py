"""The live progress line of a local run, on stderr: sources probed, clips cut of planned, elapsed, ETA.

The DirectRunner's worker processes report their metrics only when the job ends, so the
counting steps (transforms/stages/counters.py) also keep their totals in small files under a
scratch folder of this run; a thread here sums them twice a second and draws the line with
tqdm. Off when stderr is not a terminal, or with --quiet. It only reads: the dataset never
depends on it.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from typing import Optional, TextIO

from tqdm import tqdm

from transforms.stages import counters as C

_REFRESH = 0.5


def wanted(quiet: bool, stream: TextIO = sys.stderr) -> bool:
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


def describe(totals: dict[str, int]) -> str:
    """The text after the bar: what has been read, probed and dropped so far. Pure."""
    parts = [f"rows {totals.get(C.ROWS_READ, 0)}",
             f"sources probed {totals.get(C.SOURCES_PROBED, 0) + totals.get(C.PROBES_REUSED, 0)}"
             f" of {totals.get(C.SOURCES, 0)}"]
    if totals.get(C.PROBES_REUSED):
        parts[-1] += f" ({totals[C.PROBES_REUSED]} unchanged)"
    if totals.get(C.CLIPS_REUSED):
        parts.append(f"{totals[C.CLIPS_REUSED]} clips reused")
    if totals.get(C.DROPS):
        parts.append(f"drops {totals[C.DROPS]}")
    return ", ".join(parts)


class ProgressLine:
    """`with ProgressLine() as progress_dir:` draws the line until the block ends."""

    def __init__(self, stream: TextIO = sys.stderr):
        self._stream = stream
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.folder = ""

    def __enter__(self) -> str:
        self.folder = tempfile.mkdtemp(prefix="gvd-progress-")
        self._bar = tqdm(total=0, desc="clips cut", unit="clip", file=self._stream, ncols=self._width(), nrows=50,
                         bar_format="{desc}: {n_fmt}/{total_fmt} |{bar:20}| {elapsed} elapsed, ETA {remaining}{postfix}")
        self._thread = threading.Thread(target=self._loop, name="progress", daemon=True)
        self._thread.start()
        return self.folder

    def _width(self) -> int:
        """The terminal's width now; 100 when it reports none. (nrows is fixed for the same reason:
        tqdm hides a bar below a screen it measures as 0 rows high.)"""
        try:
            return os.get_terminal_size(self._stream.fileno()).columns or 100
        except (OSError, ValueError, AttributeError):
            return 100

    def _draw(self) -> None:
        totals = C.read_progress(self.folder)
        self._bar.ncols = self._width()
        done = totals.get(C.CLIPS_MADE, 0) + totals.get(C.CLIPS_REUSED, 0)
        self._bar.total = max(totals.get(C.CLIPS_PLANNED, 0), done)
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)
        self._bar.set_postfix_str(describe(totals), refresh=False)
        self._bar.refresh()

    def _loop(self) -> None:
        while not self._stop.wait(_REFRESH):
            self._draw()

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._draw()
        self._bar.close()
        shutil.rmtree(self.folder, ignore_errors=True)
