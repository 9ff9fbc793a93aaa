"""User text made safe to echo: control characters shown escaped, never emitted raw.

A catalog key, a file name or an option value can hold a newline, a carriage return or a
terminal escape sequence; echoed raw it splits one error into two lines (a forged second
message in a CI log) or drives the reader's terminal. Escaping rather than dropping keeps
the message true: the user sees ``\\n`` where their key has a newline and can find it.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["printable"]

_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls, DEL, Unicode line/paragraph separators and bidi overrides."""
_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """``text`` with every control character escaped (``\\n``, ``\\x1b``, ``\\u202e``),
    except those in ``keep`` (e.g. ``"\\n\\t"`` for multi-line output)."""
    if keep:
        return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)
    return _CONTROL.sub(_escape, text)
