"""The worker image and the package agree on Beam's version, and the image keeps Beam's boot."""
from __future__ import annotations

import os
import re

import apache_beam

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _read(name: str) -> str:
    with open(os.path.join(REPO, name), encoding="utf-8") as handle:
        return handle.read()


def test_dockerfile_beam_image_matches_the_setup_py_pin():
    dockerfile = _read("Dockerfile")
    (image_version,) = re.findall(r"^ARG BEAM_VERSION=(\S+)$", dockerfile, re.MULTILINE)
    (pinned,) = re.findall(r'^BEAM_VERSION = "([^"]+)"', _read("setup.py"), re.MULTILINE)
    assert image_version == pinned == apache_beam.__version__
    assert "FROM apache/beam_python3.11_sdk:${BEAM_VERSION}" in dockerfile


def test_dockerfile_keeps_beams_entrypoint_and_checks_dependencies():
    dockerfile = _read("Dockerfile")
    entrypoints = re.findall(r"^ENTRYPOINT (.+)$", dockerfile, re.MULTILINE)
    assert entrypoints == ['["/opt/apache/beam/boot"]']
    assert "pip check" in dockerfile
