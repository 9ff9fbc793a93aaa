"""The request scope is published only for readers: flags subscribe when imported."""

from __future__ import annotations

import subprocess
import sys

import pytest

from zwobs import context


def test_current_scope_is_none_outside_a_request() -> None:
    assert context.current_scope() is None


def test_subscribe_turns_publication_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context.READERS, "subscribed", False)
    context.subscribe()
    assert context.READERS.subscribed is True


def test_reading_the_scope_subscribes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A careless reader that never subscribed gets None once, then the requests that follow."""
    monkeypatch.setattr(context.READERS, "subscribed", False)
    assert context.current_scope() is None
    assert context.READERS.subscribed is True


def test_nothing_is_published_until_flags_are_imported() -> None:
    """A fresh interpreter: instrumenting an app subscribes nothing; importing flags does."""
    script = (
        "import zwobs, zwobs.context as c\n"
        "from starlette.applications import Starlette\n"
        "zwobs.instrument(Starlette(), service='s')\n"
        "print(c.READERS.subscribed)\n"
        "import zwobs.flags\n"
        "print(c.READERS.subscribed)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == ["False", "True"]
