"""The long-lived probe child: reused after clean answers, replaced after anything else."""
from __future__ import annotations

import os
import signal

import pytest

from tests import bad_inputs as B
from transforms.media import probe_child as P

MEMORY = 4 * 1024 ** 3


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return str(tmp_path_factory.mktemp("probe-child"))


@pytest.fixture(scope="module")
def video(folder):
    return B.make_canary(folder)[0]


@pytest.fixture
def child():
    handle = P.ProbeChild(MEMORY)
    yield handle
    handle.close()


def test_one_child_answers_probe_after_probe(child, video):
    first = child.ask({"uri": video}, 30)
    pid = child.pid
    second = child.ask({"uri": video}, 30)
    assert first == second and first["width"] == 64 and first["height"] == 48
    assert child.pid == pid  # the same process, not a new one per source


def test_a_bad_file_retires_the_child(child, video, folder):
    child.ask({"uri": video}, 30)
    pid = child.pid
    answer = child.ask({"uri": B.make_zero_byte(folder)}, 30)
    assert answer["error"] == "unreadable" and child.pid is None
    assert child.ask({"uri": video}, 30)["width"] == 64 and child.pid not in (None, pid)


def test_a_dead_child_is_reported_and_replaced(child, video):
    child.ask({"uri": video}, 30)
    os.kill(child.pid, signal.SIGKILL)  # as a segfault in a decoder would end it
    with pytest.raises(P.ChildDied) as died:
        child.ask({"uri": video}, 30)
    assert died.value.returncode == -signal.SIGKILL and child.pid is None
    assert child.ask({"uri": video}, 30)["width"] == 64


def test_a_child_over_its_time_is_killed_and_replaced(child, video):
    with pytest.raises(P.ChildTimedOut):
        child.ask({"uri": video}, 0.01)  # no child starts Python and PyAV in 10 ms
    assert child.pid is None
    assert child.ask({"uri": video}, 30)["width"] == 64


def test_the_child_is_replaced_after_its_quota(child, video, monkeypatch):
    monkeypatch.setattr(P, "MAX_REQUESTS", 2)
    child.ask({"uri": video}, 30)
    pid = child.pid
    child.ask({"uri": video}, 30)
    assert child.pid is None  # retired after its second answer
    child.ask({"uri": video}, 30)
    assert child.pid not in (None, pid)

