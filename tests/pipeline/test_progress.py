"""The progress line's text, and that it is drawn on a terminal that reports no size (a bare pty)."""
import os
import pty
import subprocess
import sys

from pipeline.progress import describe
from tests.cli import REPO
from transforms.stages import counters as C


def test_describe_says_what_was_read_probed_reused_and_dropped():
    text = describe({C.ROWS_READ: 9, C.SOURCES: 4, C.SOURCES_PROBED: 2, C.PROBES_REUSED: 1, C.CLIPS_REUSED: 3,
                     C.DROPS: 2})
    assert text == "rows 9, sources probed 3 of 4 (1 unchanged), 3 clips reused, drops 2"


def test_the_line_is_drawn_on_a_terminal_of_unknown_size():
    script = ("import json, time\n"
              "from pipeline.progress import ProgressLine\n"
              "with ProgressLine() as folder:\n"
              "    json.dump({'clips_planned': 4, 'clips_made': 1, 'clips_reused': 1, 'rows_read': 3,\n"
              "               'sources': 1, 'sources_probed': 1}, open(folder + '/a-worker.json', 'w'))\n"
              "    time.sleep(1.5)\n")
    master, slave = pty.openpty()  # 0 rows, 0 columns: tqdm alone would draw nothing
    job = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stderr=slave, stdout=subprocess.DEVNULL,
                           env=dict(os.environ, PYTHONPATH=REPO))
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert job.wait(timeout=60) == 0
    assert "clips cut: 2/4" in shown.decode() and "sources probed 1 of 1" in shown.decode()
