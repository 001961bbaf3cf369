"""`python -m pipeline.convert` as a user types it: the README's commands, run as subprocesses."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.convert import exports

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _readme_commands() -> list[list[str]]:
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        section = handle.read().split("## Bring your annotations", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.DOTALL).group(1)
    return [shlex.split(line) for line in block.splitlines() if line.startswith("python -m pipeline.convert")]


def _run(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, *args[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def _touch(path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").close()  # the converter only looks the video up; the pipeline reads it


def _fixtures(folder: str) -> None:
    """Every input the README's commands name, as each tool writes it, and the videos they name."""
    for name in ("match.mp4", "lecture.mp4", "v_abc123.mp4", "talk.mp4", "talk2.mp4"):
        _touch(os.path.join(folder, "videos", name))
    _touch(os.path.join(folder, "raw_videos", "training", "113", "GLGh_9UJvNo.mp4"))
    _touch(os.path.join(folder, "Charades_v1", "AO8RW.mp4"))
    files = {
        "export.json": exports.label_studio_export([("match.mp4", [(26, 100, "goal")])]),
        "annotations.xml": exports.cvat_video_export("lecture.mp4", 300, [(10, 120, "speaker")]),
        "train.json": exports.activitynet_json({"v_abc123": (30.0, [(1, 4, "A man waves.")])}),
        "youcookii_annotations_trainval.json": exports.youcook2_json(
            {"GLGh_9UJvNo": ("training", "113", 60.0, [(2, 5, "melt butter")])}),
        "charades_sta_train.txt": exports.charades_sta_lines({"AO8RW": [(0, 6.9, "a person opens a door")]}),
        "subtitles/talk.en.srt": exports.srt_file([(1, 2.5, "Hello.")]),
        "subtitles/talk2.vtt": exports.webvtt_file([(0.5, 2, "Hi.")]),
    }
    for name, data in files.items():
        os.makedirs(os.path.dirname(os.path.join(folder, name)) or folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)


def test_the_readme_has_one_command_per_format():
    formats = [command[3] for command in _readme_commands()]
    assert formats == ["label-studio", "cvat-video", "activitynet", "youcook2", "charades-sta", "srt", "webvtt"]


@pytest.mark.parametrize("command", _readme_commands(), ids=lambda c: c[3])
def test_each_readme_command_converts_its_fixture(tmp_path, command):
    _fixtures(str(tmp_path))
    completed = _run(command, str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""  # nothing failed to convert
    assert "written to manifest.jsonl; 0 items not converted" in completed.stdout
    rows = [json.loads(line) for line in open(tmp_path / "manifest.jsonl", encoding="utf-8")]
    assert rows and all(os.path.isabs(row["video_uri"]) and os.path.exists(row["video_uri"]) for row in rows)
    assert all(row["prompt"] and (row.get("annotations") or row.get("response")) for row in rows)


def test_a_bad_export_prints_every_item_with_its_place_and_converts_the_rest(tmp_path):
    _fixtures(str(tmp_path))
    bad = json.loads((tmp_path / "train.json").read_text())
    bad["v_unknown"] = {"duration": 3, "timestamps": [[0, 1]], "sentences": ["x"]}
    bad["v_abc123_2"] = {"duration": 3, "timestamps": [[0, 1]]}
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    completed = _run(["python", "-m", "pipeline.convert", "activitynet", "bad.json", "--output", "out/m.jsonl",
                      "--videos", "videos", "--prompt", "Describe it."], str(tmp_path))
    assert completed.returncode == 0
    assert "1 rows (1 annotations) written to out/m.jsonl; 2 items not converted" in completed.stdout
    errors = completed.stderr.splitlines()
    assert errors[0].startswith("not converted: bad.json: video 'v_unknown': unknown video 'v_unknown'")
    assert errors[1].startswith("not converted: bad.json: video 'v_abc123_2': `sentences` is missing")
    (row,) = [json.loads(line) for line in open(tmp_path / "out" / "m.jsonl")]
    assert row["prompt"] == "Describe it."


def test_nothing_converted_exits_1_and_writes_nothing_and_an_unreadable_input_exits_2(tmp_path):
    _fixtures(str(tmp_path))
    completed = _run(["python", "-m", "pipeline.convert", "cvat-video", "annotations.xml", "--output", "m.jsonl",
                      "--videos", "Charades_v1"], str(tmp_path))
    assert completed.returncode == 1 and not (tmp_path / "m.jsonl").exists()
    assert "unknown video 'lecture.mp4'" in completed.stderr and "nothing converted" in completed.stdout
    missing = _run(["python", "-m", "pipeline.convert", "srt", "nope.srt", "--output", "m.jsonl"], str(tmp_path))
    assert missing.returncode == 2 and "cannot read nope.srt" in missing.stderr
    usage = _run(["python", "-m", "pipeline.convert", "premiere", "x.xml", "--output", "m.jsonl"], str(tmp_path))
    assert usage.returncode == 2 and "invalid choice: 'premiere'" in usage.stderr


def test_label_studio_without_frame_rate_says_which_rate_it_used(tmp_path, capsys):
    from pipeline.convert import run
    _fixtures(str(tmp_path))
    assert run(["label-studio", str(tmp_path / "export.json"), "--output", str(tmp_path / "m.jsonl"),
                "--videos", str(tmp_path / "videos")]) == 0
    assert "frames read at 24 fps" in capsys.readouterr().out
    (row,) = [json.loads(line) for line in open(tmp_path / "m.jsonl")]
    assert row["annotations"][0]["start"] == round(25 / 24, 6)  # frame 26 at 24 fps
