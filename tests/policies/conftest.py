"""Shared data of the policy tests: the parameters and the rendered pack."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwobs.policies import PolicyParams
from zwobs.render.policies import render_pack

DATA = Path(__file__).parent / "data"

PARAMS = PolicyParams(
    registries=("ghcr.io/zeroworld", "registry.example.com:5000/platform"),
    required_labels=("team",),
    teams=("identity", "messaging"),
)


@pytest.fixture(scope="session")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pack rendered with :data:`PARAMS` (its ``policies/`` directory)."""
    root = tmp_path_factory.mktemp("pack")
    for rel, content in render_pack(PARAMS).items():
        file = root / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(content)
    return root / "policies"
