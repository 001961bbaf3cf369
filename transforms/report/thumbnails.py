"""The contact strips' thumbnails: frames of the written clips, taken with the bundled ffmpeg.

Each clip file is fetched once (when it is not local) and all its frames are taken in one
ffmpeg run; the JPEGs are small and embedded in the page, so the report is one file.
"""
from __future__ import annotations

import base64
import os
import posixpath
import shutil
import subprocess
import tempfile
from collections import defaultdict
from typing import Optional, Sequence

from transforms.media import media_guard, sandbox
from transforms.media.ffmpeg_commands import thumbnail_command
from transforms.report.strips import Strip
from transforms.core.publication import STAGING
from transforms.store import storage

HEIGHT = 72                 # pixels: a 4:3 frame is about 5 KB as a JPEG at q 6
_TIMEOUT_SECONDS = 120
_CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "quicktime", ".3gp": "3gpp", ".webm": "webm", ".mkv": "matroska"}


def clip_candidates(file_uri: str, dataset_dir: str) -> list[str]:
    """Where the clip may be, the output's own copy first: under the output's media/ when the
    fileUri is the --media_uri_prefix it is to be uploaded to (the dataset folder, or OUTPUT for
    --run_id runs), then the fileUri itself. The output is where this run wrote; the prefix may
    not exist yet, or be out of this machine's reach."""
    candidates = []
    if "/media/" in file_uri:
        relative = file_uri.rsplit("/media/", 1)[1]
        paths = posixpath if "://" in dataset_dir else os.path
        root = dataset_dir.rstrip("/")
        bases = [root]
        if paths.basename(paths.dirname(root)) == "runs":  # OUTPUT/runs/RUN_ID: media/ is OUTPUT's
            bases.append(paths.dirname(paths.dirname(root)))
        if paths.basename(root) == STAGING:  # OUTPUT/_incoming, where the report is written: OUTPUT's too
            bases.append(paths.dirname(root))
        candidates += [storage.join(base, "media", *relative.split("/")) for base in bases]
    candidates.append(file_uri)
    return list(dict.fromkeys(candidates))


def _first_existing(candidates: Sequence[str]) -> tuple[Optional[str], list[str]]:
    """The first candidate that exists, and why any could not be asked (no network, no access)."""
    unreachable = []
    for candidate in candidates:
        try:
            if storage.exists(candidate):
                return candidate, unreachable
        except Exception as err:  # noqa: BLE001 - any client error: this clip gets no thumbnails
            unreachable.append(f"{candidate}: {type(err).__name__}: {str(err)[:200]}")
    return None, unreachable


def _run_ffmpeg(path: str, times: Sequence[float], outs: Sequence[str], height: int) -> str:
    """ffmpeg's error message, or "" when it succeeded."""
    container = _CONTAINERS.get(os.path.splitext(path)[1].lower(), "")
    command = thumbnail_command(path, list(times), list(outs), height,
                                media_guard.demuxer_for(container) if container else "")
    try:
        done = subprocess.run(sandbox.limited(command), capture_output=True, timeout=_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return f"ffmpeg took longer than {_TIMEOUT_SECONDS} s"
    if done.returncode == 0:
        return ""
    return f"{sandbox.describe_exit(done.returncode)}: " + done.stderr.decode("utf-8", "replace").strip()[-300:]


def grab_frames(path: str, times: Sequence[float], height: int = HEIGHT) -> list[Optional[bytes]]:
    """JPEG bytes of the frame at each time (seconds of the file); None where there is none.

    All frames in one ffmpeg run; when it fails (a time past the end fails the whole run), one
    run per frame, so that one bad time costs its own thumbnail only. Raises RuntimeError when
    no frame at all can be taken: the file is not what the index says.
    """
    if not times:
        return []
    work = tempfile.mkdtemp(prefix="thumbs-")
    try:
        outs = [os.path.join(work, f"{i:03d}.jpg") for i in range(len(times))]
        error = _run_ffmpeg(path, times, outs, height)
        if error and len(times) > 1:
            for t, out in zip(times, outs):
                error = _run_ffmpeg(path, [t], [out], height) or error
        frames = [_read(out) for out in outs]
        if error and not any(frames):
            raise RuntimeError(f"ffmpeg could not take thumbnails of {path} ({error})")
        return frames
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _read(path: str) -> Optional[bytes]:
    if not os.path.exists(path) or not os.path.getsize(path):
        return None
    with open(path, "rb") as handle:
        return handle.read()


def data_uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def thumbnails(strips: Sequence[Strip], dataset_dir: str) -> tuple[dict[str, list[Optional[str]]], list[str]]:
    """{strip key: a data URI (or None) per shot}, and the problems met (a clip not found, ...)."""
    by_file: dict[str, list[Strip]] = defaultdict(list)
    for strip in strips:
        if strip.shots:
            by_file[strip.file_uri].append(strip)
    pictures: dict[str, list[Optional[str]]] = {}
    problems = []
    scratch = tempfile.mkdtemp(prefix="report-")
    try:
        for file_uri, group in sorted(by_file.items()):
            found, unreachable = _first_existing(clip_candidates(file_uri, dataset_dir))
            if found is None:
                problems.append(f"clip not found: {file_uri}" + "".join(f" (could not ask {u})" for u in unreachable))
                continue
            local = storage.localize(found, scratch)
            try:
                # Rows that share a clip often name the same events: each frame is taken once.
                times = sorted({round(s.seek_offset + shot.at, 3) for s in group for shot in s.shots})
                frames = dict(zip(times, grab_frames(local, times)))
            except RuntimeError as err:
                problems.append(str(err))
                continue
            finally:
                if local != found:
                    os.remove(local)
            for s in group:
                shot_frames = [frames[round(s.seek_offset + shot.at, 3)] for shot in s.shots]
                pictures[s.key] = [data_uri(f) if f else None for f in shot_frames]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return pictures, problems
