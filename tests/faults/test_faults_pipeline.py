"""The fault scenarios of RELIABILITY.md at a small size, through the real pipeline command.

`bash dev.sh faults` runs the same functions at full size (200 variants, 9 kill points, three
fault rates); these keep them honest in CI in a few minutes.
"""
from __future__ import annotations

import pytest

from benchmarks.faults.disk_full import can_mount, disk_full_scenario
from benchmarks.faults.flaky import flaky_scenario
from benchmarks.faults.fuzz import fuzz
from benchmarks.faults.kill import POINTS, kill_scenario

pytestmark = pytest.mark.faults


def test_mutated_media_each_end_as_an_example_or_a_drop(tmp_path):
    summary = fuzz(str(tmp_path), seed=15, per_container=3, batch_size=50)
    assert summary["variants"] == 12
    assert not summary["problems"], summary["problems"]
    assert (summary["crashes"], summary["hangs"], summary["unaccounted"]) == (0, 0, 0)
    assert summary["examples"] + summary["drops"] == 12
    assert summary["drops"] >= 1  # the damage is real: some variants cannot be used
    assert summary["peak_rss_bytes"] > 0


def test_a_run_killed_mid_cut_finishes_identical_to_a_clean_one(tmp_path):
    point = next(p for p in POINTS if p.name == "first clip published")
    summary = kill_scenario(str(tmp_path), points=(point,))
    assert not summary["problems"], summary["problems"]
    kill = summary["kills"][0]
    assert kill["identical"] and kill["left_by_the_kill"]["clips"] >= 1
    assert not kill["left_by_the_kill"]["stats_json"]  # killed before the end, really
    assert kill["finish_clips_reused"] >= 1  # what the killed run made was kept
    assert kill["left_by_the_kill"]["scratch_folders"] >= 1  # the dead workers' scratch, swept by the finish


def test_a_store_failing_a_fifth_of_requests_gives_identical_outputs(tmp_path):
    summary = flaky_scenario(str(tmp_path), rates=("0.2",))
    assert not summary["problems"], summary["problems"]
    run = summary["runs"][0]
    assert run["proxy"]["faults_total"] >= 10, run["proxy"]
    assert {"503-after", "reset-after", "truncate"} & set(run["proxy"]["faults"])


def test_a_full_scratch_disk_fails_loudly_and_leaves_no_partial_clip(tmp_path):
    if not can_mount(str(tmp_path)):
        pytest.skip("mounting a tmpfs needs root with CAP_SYS_ADMIN")
    summary = disk_full_scenario(str(tmp_path))
    assert not summary["problems"], summary["problems"]
    assert summary["rerun_identical"]
