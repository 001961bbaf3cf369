"""Faults injected by tests, from the outside: product code carries no hook or setting for them."""
from __future__ import annotations

import os

import pytest

from transforms.core.types import Action
from transforms.stages import cut


class InjectedFault(RuntimeError):
    pass


def fail_once_after_upload(monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    """The first clip the cut stage uploads (not a copy) raises right after its upload and before its
    measurements are written; the marker file records which, so the fault fires once per test.

    In-process runners only (BundleBasedDirectRunner): the patch is on the class, which the runner's
    copies of the DoFn share; a worker process would not see it.
    """
    made = cut._CutFn._make

    def make_then_fail_once(self, spec, file_uri, work, source_file):
        clip = made(self, spec, file_uri, work, source_file)
        if clip.action is Action.COPY:
            return clip
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # exactly one thread wins
        except FileExistsError:
            return clip
        with os.fdopen(fd, "w") as handle:
            handle.write(file_uri)
        raise InjectedFault(f"injected fault after uploading {file_uri}")

    monkeypatch.setattr(cut._CutFn, "_make", make_then_fail_once)
