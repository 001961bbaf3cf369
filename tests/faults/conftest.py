import pytest

from tests.gcs.emulator import run_emulator


@pytest.fixture(scope="session")
def gcs_emulator(tmp_path_factory):
    """A GCS server on 127.0.0.1 for this test process; yields its URL."""
    yield from run_emulator(str(tmp_path_factory.mktemp("gcs-emulator")))
