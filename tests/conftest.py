import os

import pytest

from pipeline.synthetic_media import build_corpus
from tests.gcs.emulator import run_emulator

# Shared by every test process (pytest-xdist) and kept between runs: made once, then reused.
CORPUS_ROOT = os.environ.get("TEST_CORPUS_DIR", os.path.join(os.path.expanduser("~"), ".cache",
                                                              "gemini-video-dataset", "test-corpus"))


@pytest.fixture(scope="session")
def corpus_manifest() -> str:
    return build_corpus(CORPUS_ROOT)


@pytest.fixture(scope="session")
def gcs_emulator(tmp_path_factory):
    """A GCS server on 127.0.0.1 for this test process; yields its URL.

    One per process, defined once here: the product keeps one storage client per process
    (transforms/store/gcs.py), so a second emulator started by another folder's fixture would
    be invisible to it, and its objects would not be found."""
    yield from run_emulator(str(tmp_path_factory.mktemp("gcs-emulator")))
