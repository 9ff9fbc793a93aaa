"""The manifest of what render owns: read back exactly, refused when it could mislead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zwobs.render.ownership import MANIFEST, OwnershipError, manifest_bytes, owned_paths


def test_no_manifest_owns_nothing(tmp_path: Path) -> None:
    assert owned_paths(tmp_path, "alerts") == set()


def test_a_written_manifest_reads_back_as_the_same_paths(tmp_path: Path) -> None:
    (tmp_path / "alerts").mkdir()
    paths = ["alerts/a.rules.yaml", "alerts/sub/c.yaml"]
    (tmp_path / "alerts" / MANIFEST).write_bytes(manifest_bytes("alerts", paths))
    assert owned_paths(tmp_path, "alerts") == set(paths)


@pytest.mark.parametrize(
    "entries",
    [["../../victim"], ["/etc/passwd"], ["a/../../b"], ["a//b"], [""], ["a\\..\\b"], [1]],
)
def test_an_entry_that_could_lead_outside_its_directory_refuses_the_manifest(
    tmp_path: Path, entries: list[object]
) -> None:
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / MANIFEST).write_text(json.dumps({"files": entries}))
    with pytest.raises(OwnershipError, match="not a zwobs manifest"):
        owned_paths(tmp_path, "alerts")


@pytest.mark.parametrize(
    "text", ["", "not json", "[]", '{"files": "a"}', "[" * 200_000 + "]" * 200_000]
)
def test_a_manifest_that_is_not_one_is_refused_with_its_path(tmp_path: Path, text: str) -> None:
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / MANIFEST).write_text(text)
    with pytest.raises(OwnershipError) as raised:
        owned_paths(tmp_path, "alerts")
    assert str(raised.value).startswith(f"{tmp_path / 'alerts' / MANIFEST}: ")


def test_a_symlinked_manifest_is_refused_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"files": ["a.rules.yaml"]}))
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / MANIFEST).symlink_to(elsewhere)
    with pytest.raises(OwnershipError, match="expected the zwobs manifest"):
        owned_paths(tmp_path, "alerts")
