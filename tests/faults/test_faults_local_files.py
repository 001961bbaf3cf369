"""Local writes are whole or absent, and what a killed writer leaves is swept (and only that)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from transforms.store import local_files, scratch

_WRITER = """
import sys, time
from transforms.store import local_files
with local_files.atomic_writer(sys.argv[1]) as handle:
    handle.write(b"half a clip")
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def _writer(path: str) -> subprocess.Popen:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    child = subprocess.Popen([sys.executable, "-c", _WRITER, path], stdout=subprocess.PIPE, cwd=root)
    assert child.stdout.readline() == b"writing\n"
    return child


def test_a_killed_writers_temporary_file_is_swept_and_a_live_ones_kept(tmp_path):
    killed, alive = _writer(str(tmp_path / "media" / "a.mp4")), _writer(str(tmp_path / "b.json"))
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        left = sorted(os.path.relpath(os.path.join(r, n), tmp_path) for r, _, ns in os.walk(tmp_path) for n in ns)
        assert len(left) == 2 and all(local_files.is_temporary(n) for n in left)
        removed = local_files.sweep_orphans(str(tmp_path))
        assert [os.path.relpath(p, tmp_path) for p in removed] == [n for n in left if n.startswith("media")]
        assert not (tmp_path / "media" / "a.mp4").exists()
        still = [n for n in os.listdir(tmp_path) if local_files.is_temporary(n)]
        assert len(still) == 1, "the live writer's file must stay"
    finally:
        alive.kill()
        alive.wait()
    assert local_files.sweep_orphans(str(tmp_path)) and not [n for n in os.listdir(tmp_path) if "tmp" in n]


def test_a_failed_write_leaves_no_file_under_any_name(tmp_path):
    target = tmp_path / "shard.jsonl"
    with pytest.raises(OSError):
        with local_files.atomic_writer(str(target)) as handle:
            handle.write(b"part")
            raise OSError(28, "No space left on device")
    assert os.listdir(tmp_path) == []
    local_files.write_file(str(target), b"whole")
    assert target.read_bytes() == b"whole" and os.listdir(tmp_path) == ["shard.jsonl"]


def test_a_dead_workers_scratch_is_removed_and_a_live_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"cut-{dead.pid}-abcd"
    (stale / "sub").mkdir(parents=True)
    (stale / "sub" / "source.mp4").write_bytes(b"x" * 1000)
    live = tmp_path / f"cut-{os.getppid()}-efgh"
    live.mkdir()
    other_kind = tmp_path / f"probe-{dead.pid}-ijkl"
    other_kind.mkdir()
    mine = scratch.make_scratch("cut-")
    assert not stale.exists()
    assert live.exists() and other_kind.exists()
    assert os.path.basename(mine).startswith(f"cut-{os.getpid()}-") and os.path.dirname(mine) == str(tmp_path)
