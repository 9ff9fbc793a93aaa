"""Write rendered files atomically and detect drift against what is on disk.

Everything is rendered in memory first; only then are files written, each through
a temporary file in the same directory and ``os.replace``, so a reader (Prometheus,
Grafana, a CI job) never sees a half-written file and a failed render writes nothing.
Files whose bytes are unchanged are not touched (stable mtimes, cheap re-renders).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = ["Drift", "DriftKind", "WriteReport", "check_tree", "write_tree"]

_WRITERS = 8


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
    """Write a sibling temporary file, then rename it over ``target`` (atomic on POSIX)."""
    tmp = target.with_name(f".zwobs-tmp-{os.getpid()}-{target.name}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_one(target: Path, content: bytes) -> bool:
    """Write ``target`` unless it already holds ``content``; True when written."""
    try:
        if target.read_bytes() == content:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    _atomic_write(target, content)
    return True


def write_tree(
    out: Path,
    files: Mapping[str, bytes],
    directories: Iterable[str],
    progress: Callable[[int, int], None] | None = None,
) -> WriteReport:
    """Write changed files atomically and remove stale ones from the owned directories.

    Files are written by a few threads: the work is system calls, which release the GIL,
    and a fleet render writes tens of thousands of small files.
    """
    directories = tuple(directories)
    for parent in sorted({(out / path).parent for path in files}):
        parent.mkdir(parents=True, exist_ok=True)
    paths = list(files)
    total = len(paths)
    with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
        outcomes: list[bool] = []
        for index, result in enumerate(
            pool.map(lambda p: _write_one(out / p, files[p]), paths, chunksize=64), 1
        ):
            outcomes.append(result)
            if progress is not None:
                progress(index, total)
    written = tuple(p for p, w in zip(paths, outcomes, strict=True) if w)
    stale = sorted(_on_disk(out, directories) - files.keys())
    for path in stale:
        (out / path).unlink()
    return WriteReport(written=written, unchanged=total - len(written), removed=tuple(stale))
