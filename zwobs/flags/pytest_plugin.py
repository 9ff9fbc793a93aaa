"""The ``zwobs_flags`` fixture: force flags for one test (``pytest_plugins = [__name__]``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zwobs.flags.testing import FlagOverrides, override

__all__ = ["zwobs_flags"]


@pytest.fixture
def zwobs_flags() -> Iterator[FlagOverrides]:
    """Forced flags that last for this test only; no server, no bootstrap file needed."""
    with override() as overrides:
        yield overrides
