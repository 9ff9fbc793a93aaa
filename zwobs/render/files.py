"""Write rendered files atomically and detect drift against what is on disk.

Everything is rendered in memory first; only then are files written, each through
a temporary file in the same directory and ``os.replace``, so a reader (Prometheus,
Grafana, a CI job) never sees a half-written file and a failed render writes nothing.
Files whose bytes are unchanged are not touched (stable mtimes, cheap re-renders).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from zwobs.atomic import write_atomic

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


def _write_one(target: Path, content: bytes) -> bool:
    """Write ``target`` unless it already holds ``content``; True when written."""
    try:
        if target.read_bytes() == content:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    write_atomic(target, content)
    return True


def _write_fresh(out: Path, top: str, files: Mapping[str, bytes]) -> None:
    """A directory that does not exist yet is built beside its place and renamed into it:
    it appears whole, and each file costs one create instead of a create and a rename."""
    staging = out / f".zwobs-tmp-{os.getpid()}-{top}"
    try:
        for parent in sorted({(staging / p.split("/", 1)[1]).parent for p in files}):
            parent.mkdir(parents=True, exist_ok=True)
        for path, content in files.items():
            relative = path.split("/", 1)[1]
            fd = os.open(staging / relative, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                view = memoryview(content)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
        os.rename(staging, out / top)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_tree(
    out: Path,
    files: Mapping[str, bytes],
    directories: Iterable[str],
    progress: Callable[[int, int], None] | None = None,
) -> WriteReport:
    """Write changed files atomically and remove stale ones from the owned directories.

    An owned directory that does not exist yet is written whole and renamed into place;
    in an existing one each changed file is replaced atomically (by a few threads: the
    work is system calls, which release the GIL).
    """
    directories = tuple(directories)
    out.mkdir(parents=True, exist_ok=True)
    by_top: dict[str, dict[str, bytes]] = {}
    for path, content in files.items():
        by_top.setdefault(path.split("/", 1)[0], {})[path] = content
    written: list[str] = []
    total = len(files)
    done = 0
    for top, group in by_top.items():
        if not (out / top).exists():
            _write_fresh(out, top, group)
            written.extend(group)
            done += len(group)
            if progress is not None:
                progress(done, total)
            continue
        for parent in sorted({(out / path).parent for path in group}):
            parent.mkdir(parents=True, exist_ok=True)
        paths = list(group)
        with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
            contents = [group[p] for p in paths]
            results = pool.map(lambda p, c: _write_one(out / p, c), paths, contents, chunksize=64)
            for path, result in zip(paths, results, strict=True):
                done += 1
                if result:
                    written.append(path)
                if progress is not None:
                    progress(done, total)
    stale = sorted(_on_disk(out, directories) - files.keys())
    for path in stale:
        (out / path).unlink()
    return WriteReport(written=tuple(written), unchanged=total - len(written), removed=tuple(stale))
