import fcntl
import os

import pytest

from pipeline.synthetic_media import build_corpus

# Shared by every test process (pytest-xdist): the corpus is made once and reused.
CORPUS_DIR = os.environ.get("TEST_CORPUS_DIR", os.path.join(os.path.expanduser("~"), ".cache",
                                                             "gemini-video-dataset", "test-corpus"))


@pytest.fixture(scope="session")
def corpus_manifest() -> str:
    os.makedirs(CORPUS_DIR, exist_ok=True)
    with open(os.path.join(CORPUS_DIR, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return build_corpus(CORPUS_DIR)
