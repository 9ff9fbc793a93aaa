"""The Unleash client specification as installed by scripts/install-unleash-spec.sh (pinned)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["INSTALL", "SPEC_CASES", "specifications"]

SPEC_DIR = (
    Path(__file__).resolve().parents[2]
    / ".cache/unleash-spec/node_modules/@unleash/client-specification/specifications"
)
SPEC_CASES = 279
"""Cases in the pinned version (6.1.0): a smaller count means cases went missing."""


INSTALL = "the Unleash specification is missing: bash scripts/install-unleash-spec.sh"


def specifications() -> list[dict[str, Any]]:
    """Every specification document in index order ([] when not installed: the tests fail)."""
    if not (SPEC_DIR / "index.json").exists():
        return []
    names = json.loads((SPEC_DIR / "index.json").read_text())
    return [json.loads((SPEC_DIR / name).read_text()) for name in names]
