"""zwobs.version: one version, from package metadata, or pyproject.toml in a bare source tree."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import zwobs
from zwobs import version

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_version_is_the_installed_metadata_and_pyprojects_version() -> None:
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
    assert version.VERSION == metadata.version("zwobs") == declared
    assert zwobs.__version__ == version.VERSION


def test_a_source_tree_without_metadata_reads_pyproject(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert version._version() == tomllib.loads(PYPROJECT.read_text())["project"]["version"]


def test_no_metadata_and_no_pyproject_is_unknown_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    monkeypatch.setattr(version, "__file__", str(tmp_path / "zwobs" / "version.py"))
    assert version._version() == "0+unknown"


def test_unknown_attribute_of_zwobs_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = zwobs.nope  # type: ignore[attr-defined]
