"""Baselines: accept today's findings, fail only on new ones.

A baseline stores fingerprints (see :attr:`Finding.fingerprint`), which leave line
numbers out, so moving a manifest block or adding lines above it keeps it baselined.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from zwobs.atomic import write_atomic

from .model import Finding
from .trivy import ScanError

__all__ = ["BASELINE_VERSION", "load_baseline", "write_baseline"]

BASELINE_VERSION = 1


def load_baseline(file: Path) -> set[str]:
    """The fingerprints stored in ``file``."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScanError(
            f"{file}: cannot read baseline: {exc.strerror} (create one with --write-baseline)"
        ) from None
    except ValueError as exc:
        raise ScanError(f"{file}: baseline is not JSON: {exc}") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, list) or data.get("version") != BASELINE_VERSION:
        raise ScanError(
            f"{file}: expected a zwobs baseline (version {BASELINE_VERSION}, `findings` list)"
        )
    return {str(e["fingerprint"]) for e in entries if isinstance(e, dict) and "fingerprint" in e}


def write_baseline(file: Path, findings: Iterable[Finding]) -> int:
    """Write ``findings`` as a baseline (atomically); returns how many were written."""
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "id": f.check_id,
                "path": f.path,
                "resource": str(f.resource) if f.resource else "",
                "message": f.message,
            }
            for f in findings
        ),
        key=lambda e: (e["path"], e["id"], e["fingerprint"]),
    )
    text = json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n"
    write_atomic(file, text)
    return len(entries)
