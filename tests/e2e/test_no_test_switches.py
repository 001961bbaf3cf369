"""No environment variable weakens a worker: `python -m pipeline.run`, run as a user runs it, with the
setting that once exempted loopback from the address checks, still refuses a loopback URL."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from pipeline.synthetic_media import Event, VideoSpec, make_video
from tests.conservation import output_rows
from tests.http_servers import serving

pytestmark = pytest.mark.e2e

ROOT = pathlib.Path(__file__).resolve().parents[2]
VIDEO = VideoSpec(name="good.mp4", seconds=4, size=(64, 48), events=(Event(1, 2, "red"),))


def test_an_environment_setting_does_not_open_loopback_to_the_fetcher(tmp_path):
    folder = str(tmp_path)
    make_video(folder, VIDEO)
    served = tmp_path / "served"
    served.mkdir()
    (served / "remote.mp4").write_bytes((tmp_path / VIDEO.name).read_bytes())
    with serving(str(served)) as server:
        port = server.server_address[1]
        rows = [{"id": "local", "video_uri": VIDEO.name, "prompt": "p",
                 "annotations": [e.annotation() for e in VIDEO.events]},
                {"id": "loopback", "video_uri": f"{server.base}/files/remote.mp4", "prompt": "p", "annotations": []}]
        manifest = tmp_path / "manifest.jsonl"
        manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
        env = dict(os.environ, GVD_TEST_FETCH_POLICY=json.dumps(
            {"allow_networks": ["127.0.0.1/32"], "allowed_ports": [80, 443, port]}))
        out = tmp_path / "out"
        done = subprocess.run([sys.executable, "-m", "pipeline.run", "--manifest", str(manifest),
                               "--output", str(out), "--max_drop_rate", "1.0", "--validation_fraction", "0"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        assert server.hits["/files/remote.mp4"] == 0  # never connected
    index, drops, _ = output_rows(str(out))
    assert {d["row_id"]: d["reason"] for d in drops} == {"loopback": "remote_refused"}
    assert [r["row_id"] for r in index] == ["local"]


def test_product_code_names_no_test_setting_or_fault_hook():
    """What the before-stop hook greps for: test seams live in tests/, not on the production path."""
    found = []
    for top in ("transforms", "pipeline"):
        for path in sorted((ROOT / top).rglob("*.py")):
            text = path.read_text()
            found += [f"{path.relative_to(ROOT)}: {word}" for word in ("GVD_TEST", "fault_injection") if word in text]
    assert found == []
