"""Text from Trivy made safe to print: no ANSI escape sequences, no control characters."""

from __future__ import annotations

import re

__all__ = ["clean"]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: object) -> str:
    """``text`` as a string without colour codes or control characters (newlines and tabs stay)."""
    return _CONTROL.sub("", _ANSI.sub("", "" if text is None else str(text)))
