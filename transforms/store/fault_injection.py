"""A test-only hook: fail once, right after a clip was uploaded, to prove retries are safe.

Off unless GVD_FAIL_ONCE_AFTER_UPLOAD names a marker file (local, shared by the test and the
runner's threads). The first clip uploaded while the marker is absent creates it and raises;
the runner then retries the bundle, which finds the object but not its measurements.
"""
from __future__ import annotations

import os

ENV = "GVD_FAIL_ONCE_AFTER_UPLOAD"


class InjectedFault(RuntimeError):
    pass


def after_upload(uri: str) -> None:
    marker = os.environ.get(ENV)
    if not marker:
        return
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # exactly one thread wins
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(uri)
    raise InjectedFault(f"injected fault after uploading {uri}")
