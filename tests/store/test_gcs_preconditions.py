"""A conditional write whose first attempt landed (its answer lost) meets 412 on the retry:
kept when the object is the one asked for, raised when someone else wrote it."""
from __future__ import annotations

import pytest
from google.api_core.exceptions import PreconditionFailed

from transforms.store import gcs


def _lost_answer():
    raise PreconditionFailed("conditionNotMet")


def test_a_412_after_our_own_landed_write_is_kept():
    gcs._written_or_raise(_lost_answer, lambda: True)


def test_a_412_for_someone_elses_object_raises():
    with pytest.raises(PreconditionFailed):
        gcs._written_or_raise(_lost_answer, lambda: False)


def test_a_write_that_succeeds_is_not_checked():
    checked = []
    gcs._written_or_raise(lambda: None, lambda: checked.append(1) or True)
    assert not checked
