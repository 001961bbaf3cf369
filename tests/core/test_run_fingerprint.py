"""The rerun shortcut's rules: one fingerprint per set of inputs, and a record that must match in full."""
from __future__ import annotations

import dataclasses
import enum

import pytest

from transforms.core import run_fingerprint as R


class _Mode(enum.Enum):
    A = "a"


@dataclasses.dataclass(frozen=True)
class _Settings:
    names: frozenset
    mode: _Mode
    limits: dict


SETTINGS = _Settings(frozenset({"h264", "av1", "vp9"}), _Mode.A, {"LOW": 1200.0, "HIGH": 300.0})
BASE = ({"m.jsonl": "ab"}, {"a.mp4": "10-1", "b.mp4": "missing"}, SETTINGS, "code")


def test_same_inputs_same_fingerprint_in_any_order():
    again = ({"m.jsonl": "ab"}, {"b.mp4": "missing", "a.mp4": "10-1"},
             _Settings(frozenset({"vp9", "h264", "av1"}), _Mode.A, {"HIGH": 300.0, "LOW": 1200.0}), "code")
    assert R.fingerprint(*BASE) == R.fingerprint(*again)


@pytest.mark.parametrize("changed", [
    ({"m.jsonl": "ac"}, BASE[1], BASE[2], BASE[3]),                        # a manifest byte
    (BASE[0], {"a.mp4": "10-2", "b.mp4": "missing"}, BASE[2], BASE[3]),    # a source rewritten
    (BASE[0], {"a.mp4": "10-1", "b.mp4": "5-7"}, BASE[2], BASE[3]),        # a missing source appeared
    (BASE[0], BASE[1], dataclasses.replace(SETTINGS, limits={"LOW": 600.0}), BASE[3]),  # a setting
    (BASE[0], BASE[1], BASE[2], "other code"),
])
def test_any_input_changes_it(changed):
    assert R.fingerprint(*changed) != R.fingerprint(*BASE)


def test_a_setting_without_a_stable_form_is_refused():
    with pytest.raises(TypeError):
        R.fingerprint({}, {}, {"f": object()}, "code")


FILES = {"/o/train.jsonl": "100-1", "/o/stats.json": "20-2", "/o/media/c.mp4": "9000-3"}
MANIFESTS = {"/in/m.jsonl": "ab"}


def _record(value: str, files=FILES) -> bytes:
    return R.record_bytes(R.Fingerprint(value, tuple(MANIFESTS.items()), ("/in/a.mp4",)), files)


def test_a_matching_record_keeps_the_dataset():
    record = _record("fp")
    assert R.recorded_files(record) == FILES
    assert R.why_not_kept(record, "fp", dict(FILES, **{"/o/other": "1-1"})) is None


@pytest.mark.parametrize("record, fingerprint, current, why", [
    (None, "fp", FILES, "no record"),
    (b"{\"version\": \"fingerprint-v1\", \"files\"", "fp", FILES, "unreadable"),   # cut short
    (b"{\"version\": \"fingerprint-v0\", \"fingerprint\": \"fp\", \"files\": {}}", "fp", FILES, "unreadable"),
    (_record("fp"), None, FILES, "no stable identity"),
    (_record("other"), "fp", FILES, "changed"),
    (_record("fp", {}), "fp", FILES, "names no file"),
    (_record("fp"), "fp", {k: v for k, v in FILES.items() if "media" not in k}, "c.mp4 is gone"),
    (_record("fp"), "fp", dict(FILES, **{"/o/train.jsonl": "100-9"}), "train.jsonl is rewritten"),
])
def test_anything_else_means_a_full_run(record, fingerprint, current, why):
    assert why in R.why_not_kept(record, fingerprint, current)


def test_the_sources_are_reused_only_for_the_same_manifests():
    assert R.recorded_sources(_record("fp"), MANIFESTS) == ["/in/a.mp4"]
    assert R.recorded_sources(_record("fp"), {"/in/m.jsonl": "ac"}) is None
    assert R.recorded_sources(_record("fp"), dict(MANIFESTS, **{"/in/n.jsonl": "cd"})) is None
    assert R.recorded_sources(None, MANIFESTS) is None
