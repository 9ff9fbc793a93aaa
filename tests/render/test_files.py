"""Atomic, change-only writes and a drift check that names every differing file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zwobs.render.files import Drift, DriftKind, check_tree, write_tree

FILES = {"alerts/a.rules.yaml": b"a\n", "alerts/b.rules.yaml": b"b\n", "alerts/sub/c.yaml": b"c\n"}


def test_write_creates_files_and_reports_what_it_wrote(tmp_path: Path) -> None:
    report = write_tree(tmp_path, FILES, ["alerts"])
    assert report.written == tuple(FILES) and report.unchanged == 0 and report.removed == ()
    assert {p: (tmp_path / p).read_bytes() for p in FILES} == FILES
    assert oct((tmp_path / "alerts/a.rules.yaml").stat().st_mode & 0o777) == "0o644"


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES, ["alerts"])
    target = tmp_path / "alerts/a.rules.yaml"
    os.utime(target, (1, 1))
    report = write_tree(tmp_path, {**FILES, "alerts/b.rules.yaml": b"B\n"}, ["alerts"])
    assert report.written == ("alerts/b.rules.yaml",) and report.unchanged == 2
    assert target.stat().st_mtime == 1


def test_stale_files_in_owned_directories_are_removed_others_kept(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES, ["alerts"])
    (tmp_path / "alerts/old.rules.yaml").write_bytes(b"old")
    (tmp_path / "notes.txt").write_bytes(b"mine")
    report = write_tree(tmp_path, FILES, ["alerts"])
    assert report.removed == ("alerts/old.rules.yaml",)
    assert (tmp_path / "notes.txt").exists()


def test_check_names_every_differing_missing_and_stale_file(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES, ["alerts"])
    (tmp_path / "alerts/a.rules.yaml").write_bytes(b"edited by hand\n")
    (tmp_path / "alerts/sub/c.yaml").unlink()
    (tmp_path / "alerts/zz.rules.yaml").write_bytes(b"left over\n")
    assert check_tree(tmp_path, FILES, ["alerts"]) == [
        Drift("alerts/a.rules.yaml", DriftKind.DIFFERS),
        Drift("alerts/sub/c.yaml", DriftKind.MISSING),
        Drift("alerts/zz.rules.yaml", DriftKind.STALE),
    ]
    assert str(Drift("x", DriftKind.STALE)) == "x: stale"


def test_check_of_an_up_to_date_tree_is_empty(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES, ["alerts"])
    assert check_tree(tmp_path, FILES, ["alerts"]) == []


def test_failed_write_leaves_no_temporary_file_and_the_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, FILES, ["alerts"])

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_tree(tmp_path, {**FILES, "alerts/a.rules.yaml": b"new\n"}, ["alerts"])
    assert (tmp_path / "alerts/a.rules.yaml").read_bytes() == b"a\n"
    assert [p.name for p in (tmp_path / "alerts").iterdir() if p.name.startswith(".zwobs")] == []


def test_new_directory_appears_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_rename(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", broken_rename)
    with pytest.raises(OSError):
        write_tree(tmp_path, FILES, ["alerts"])
    assert list(tmp_path.iterdir()) == []
