"""The one exception that means "this record is dropped, and here is why".

Every stage raises a DropError (or a subclass naming where it came from) for an expected rejection
and turns it into a drop record with one `except DropError`. Anything else that escapes a stage is
a bug or a transient fault, and fails (or retries) the bundle instead of dropping a row.
"""
from __future__ import annotations

from transforms.core.types import DropReason


class DropError(Exception):
    """An expected rejection: the record is dropped with `reason` and a `detail` a person can act on."""

    def __init__(self, reason: DropReason, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
