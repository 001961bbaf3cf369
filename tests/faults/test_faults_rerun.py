"""A rerun with nothing new is recognised and writes nothing; one changed row is redone, and the
output then equals a clean run of the new manifest. The real command (`python -m pipeline.run`,
a subprocess, default runner), as the load scenario runs it at 100,000 rows.
"""
from __future__ import annotations

import json
import os

import pytest

from benchmarks.faults import verify
from benchmarks.faults.load import KEPT, make_manifest, make_sources, snapshot
from tests.cli import pipeline

pytestmark = pytest.mark.faults

FLAGS = ("--num_shards", "2", "--ffmpeg_threads", "1", "--media_uri_prefix", verify.MEDIA_PREFIX)


def _run(manifest: str, out: str):
    done = pipeline("pipeline.run", "--manifest", manifest, "--output", out, *FLAGS, cwd=os.path.dirname(out))
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for split in ("train", "validation") if os.path.exists(os.path.join(out, f"{split}.jsonl"))
            for line in open(os.path.join(out, f"{split}.jsonl"), encoding="utf-8")]


def test_a_rerun_with_nothing_new_keeps_the_dataset_and_one_changed_row_is_redone(tmp_path):
    corpus = str(tmp_path / "corpus")
    manifest = make_manifest(corpus, make_sources(corpus, 2), 3)  # 6 rows over 2 sources
    out = str(tmp_path / "out")
    first = _run(manifest, out)
    assert KEPT not in first.stdout
    assert os.path.exists(os.path.join(out, "_fingerprint.json"))

    published = snapshot(out)
    again = _run(manifest, out)
    assert KEPT in again.stdout and "Gate: PASS" in again.stdout
    assert snapshot(out) == published  # not a byte written, not a file touched (stats.json and the record too)

    with open(manifest, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    rows[4]["prompt"] = "A changed task: when is the screen coloured?"
    with open(manifest, "w", encoding="utf-8") as handle:  # edited in place: same path, new bytes
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    changed = _run(manifest, out)
    assert KEPT not in changed.stdout and "making it again" in changed.stdout
    stats = json.loads(open(os.path.join(out, "stats.json"), encoding="utf-8").read())
    assert stats["clips_made"] == 0 and stats["probes_made"] == 0  # the caches still answer
    assert any(rows[4]["prompt"] in json.dumps(line) for line in _lines(out))

    clean = str(tmp_path / "clean")
    _run(manifest, clean)
    assert verify.differences(clean, out) == []  # byte for byte what a clean run of the new manifest writes

    assert KEPT in _run(manifest, out).stdout  # and that dataset, in its turn, is recognised
