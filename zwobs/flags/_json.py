"""JSON from files and servers zwobs does not control: a parse error, never a crash.

``json.loads`` raises RecursionError (not ValueError) on deeply nested input such as a
file of ``[`` characters; that would escape as a traceback or kill a refresh round.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads"]


def loads(text: str | bytes) -> Any:
    """``json.loads``; ValueError (JSONDecodeError included) for anything it cannot read."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nests too deeply") from None
