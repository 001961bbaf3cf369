"""A real GCS server for the tests: gcp-storage-emulator on 127.0.0.1, in its own process.

The clients under test (google-cloud-storage, and Beam's gs:// filesystem which uses it)
talk to it through STORAGE_EMULATOR_HOST. A credentials file with a token valid until 2999
stops google.auth from looking for credentials (about 25 s per process) or refreshing one.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from typing import Iterator

BUCKET = "test-bucket"
PROJECT = "test-project"
_DUMMY_CREDENTIALS = {"type": "authorized_user", "client_id": "test", "client_secret": "test",
                      "refresh_token": "test", "token": "test-token", "expiry": "2999-01-01T00:00:00Z"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the GCS emulator exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the GCS emulator did not start listening")


def run_emulator(folder: str) -> Iterator[str]:
    """Start the server, point this process's environment at it, yield its URL; undo on exit."""
    port = _free_port()
    creds = os.path.join(folder, "credentials.json")
    with open(creds, "w", encoding="utf-8") as handle:
        json.dump(_DUMMY_CREDENTIALS, handle)
    log = open(os.path.join(folder, "emulator.log"), "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1", "--port", str(port),
         "--default-bucket", BUCKET, "--in-memory", "-q"],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in ("STORAGE_EMULATOR_HOST", "GOOGLE_APPLICATION_CREDENTIALS",
                                             "GOOGLE_CLOUD_PROJECT")}
    try:
        _wait_until_listening(port, process)
        os.environ.update(STORAGE_EMULATOR_HOST=url, GOOGLE_APPLICATION_CREDENTIALS=creds,
                          GOOGLE_CLOUD_PROJECT=PROJECT)
        yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        process.terminate()
        process.wait(timeout=10)
        log.close()


def storage_client():
    from google.cloud import storage
    return storage.Client(project=PROJECT)


def object_generations(prefix_uri: str) -> dict[str, int]:
    """Every object under gs://BUCKET/prefix and its generation."""
    bucket, _, prefix = prefix_uri[len("gs://"):].partition("/")
    return {f"gs://{bucket}/{b.name}": int(b.generation)
            for b in storage_client().list_blobs(bucket, prefix=prefix.rstrip("/") + "/")}


def download(uri: str, local: str) -> str:
    bucket, _, name = uri[len("gs://"):].partition("/")
    os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
    storage_client().bucket(bucket).blob(name).download_to_filename(local)
    return local


def upload(local: str, uri: str) -> str:
    bucket, _, name = uri[len("gs://"):].partition("/")
    storage_client().bucket(bucket).blob(name).upload_from_filename(local)
    return uri


def read_text(uri: str) -> str:
    bucket, _, name = uri[len("gs://"):].partition("/")
    return storage_client().bucket(bucket).blob(name).download_as_bytes().decode("utf-8")
