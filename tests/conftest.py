import os

import pytest

from pipeline.synthetic_media import build_corpus

# Shared by every test process (pytest-xdist) and kept between runs: made once, then reused.
CORPUS_ROOT = os.environ.get("TEST_CORPUS_DIR", os.path.join(os.path.expanduser("~"), ".cache",
                                                              "gemini-video-dataset", "test-corpus"))


@pytest.fixture(scope="session")
def corpus_manifest() -> str:
    return build_corpus(CORPUS_ROOT)
