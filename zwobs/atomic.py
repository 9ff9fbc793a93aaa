"""Whole-file writes that a reader never sees half done.

Rendered rules, baselines, reports and the flags cache are read by other
programs (Prometheus, CI, the next worker) while zwobs may be writing them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(target: Path, content: bytes | str) -> None:
    """Write a sibling temporary file, then rename it over ``target`` (atomic on POSIX)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".zwobs-tmp-{target.name}-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
