"""Write rendered files atomically and detect drift against what is on disk.

Everything is rendered in memory first; only then are files written, each through
a temporary file in the same directory and ``os.replace``, so a reader (Prometheus,
Grafana, a CI job) never sees a half-written file and a failed render writes nothing.
Files whose bytes are unchanged are not touched (stable mtimes, cheap re-renders).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = ["Drift", "DriftKind", "WriteReport", "check_tree", "write_tree"]


class DriftKind(StrEnum):
    """How a file on disk differs from the render."""

    DIFFERS = "differs"
    MISSING = "missing"
    STALE = "stale"
    """On disk in an owned directory but no longer rendered."""


@dataclass(frozen=True, slots=True)
class Drift:
    path: str
    kind: DriftKind

    def __str__(self) -> str:
        return f"{self.path}: {self.kind.value}"


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def _on_disk(out: Path, directories: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for directory in directories:
        root = out / directory
        if root.is_dir():
            found.update(
                p.relative_to(out).as_posix()
                for p in root.rglob("*")
                if p.is_file() and not p.name.startswith(".zwobs-tmp-")
            )
    return found


def check_tree(out: Path, files: Mapping[str, bytes], directories: Iterable[str]) -> list[Drift]:
    """Every file that differs from, is missing from, or is stale in ``out``; sorted by path."""
    drifts: list[Drift] = []
    for path, content in files.items():
        target = out / path
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            drifts.append(Drift(path, DriftKind.MISSING))
            continue
        if current != content:
            drifts.append(Drift(path, DriftKind.DIFFERS))
    drifts.extend(Drift(p, DriftKind.STALE) for p in _on_disk(out, directories) - files.keys())
    return sorted(drifts, key=lambda d: d.path)


def _atomic_write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".zwobs-tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tree(
    out: Path,
    files: Mapping[str, bytes],
    directories: Iterable[str],
    progress: Callable[[int, int], None] | None = None,
) -> WriteReport:
    """Write changed files atomically and remove stale ones from the owned directories."""
    directories = tuple(directories)
    written: list[str] = []
    unchanged = 0
    total = len(files)
    for index, (path, content) in enumerate(files.items(), 1):
        target = out / path
        try:
            same = target.read_bytes() == content
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            same = False
        if same:
            unchanged += 1
        else:
            _atomic_write(target, content)
            written.append(path)
        if progress is not None:
            progress(index, total)
    stale = sorted(_on_disk(out, directories) - files.keys())
    for path in stale:
        (out / path).unlink()
    return WriteReport(written=tuple(written), unchanged=unchanged, removed=tuple(stale))
