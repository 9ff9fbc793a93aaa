"""Every input of a scan, accounted for before Trivy runs.

Trivy walks a directory and silently passes over what it cannot use: a file that does
not parse, an empty one, a dangling or any symbolic link, a FIFO. zwobs walks the tree
itself, reads each configuration file once (bounded), and sorts it: a unit Trivy must
evaluate (Kubernetes manifest, Dockerfile, Helm chart), another configuration file Trivy
may evaluate with its built-in checks (Terraform, CloudFormation, ...), a YAML or JSON
file that is not Kubernetes (named in a note), or an input that cannot be evaluated
(named, and the gate fails). Trivy then scans copies of exactly the bytes zwobs read.
"""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from zwobs.yamlread import MAX_BYTES

from .documents import SplitFile, split_yaml
from .model import Unevaluated

__all__ = ["Inventory", "StagedFile", "Unit", "UnitKind", "take_inventory"]

_SKIP_DIRS = {".git"}
"""Directories Trivy never walks (so neither does the inventory)."""
_YAML = (".yaml", ".yml")
_OTHER_CONFIG = (".tf", ".tf.json", ".tfvars", ".tgz", ".tar.gz", ".hcl")
_MAX_ARCHIVE_MEMBERS = 10_000


class UnitKind(StrEnum):
    """What a unit is, and so which Trivy result type proves it was evaluated."""

    KUBERNETES = "kubernetes"
    DOCKERFILE = "dockerfile"
    HELM = "helm"
    OTHER = "other"
    """Evaluated by Trivy's built-in checks when it recognises it; not required."""


@dataclass(frozen=True, slots=True)
class StagedFile:
    """One file as Trivy will see it."""

    relative: str
    """Path under the staging root: ``<input index>/<path under the input>``."""
    content: bytes
    split: SplitFile | None = None
    """The document split of a YAML manifest (line mapping back to the user's file)."""


@dataclass(frozen=True, slots=True)
class Unit:
    """Files Trivy must scan together (one file, or a whole Helm chart)."""

    kind: UnitKind
    display: str
    """The path zwobs prints (the file, or the chart's directory)."""
    files: tuple[StagedFile, ...]
    weight: int = 1
    """Kubernetes objects in it (what Trivy's time grows with)."""


@dataclass(slots=True)
class Inventory:
    units: list[Unit] = field(default_factory=list)
    unevaluated: list[Unevaluated] = field(default_factory=list)
    not_kubernetes: list[str] = field(default_factory=list)
    """YAML/JSON files that hold no Kubernetes object (Trivy may still read them)."""
    bases: dict[str, str] = field(default_factory=dict)
    """Input index -> the directory its relative paths are displayed under."""

    def display(self, relative: str) -> str:
        """The printed path of a staged path (or of a Trivy target under the staging root)."""
        index, _, rest = relative.partition("/")
        base = self.bases.get(index)
        if base is None:
            return relative
        return f"{base}/{rest}" if base not in ("", ".") and rest else rest or base


def _is_dockerfile(name: str) -> bool:
    lower = name.lower()
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith(("dockerfile.", "containerfile."))
        or lower.endswith((".dockerfile", ".containerfile"))
    )


def _walk(root: Path) -> Iterator[tuple[Path, bool]]:
    """(path, is_chart_dir) for every entry under ``root``, symbolic links followed once
    (Trivy follows none); a chart directory is yielded instead of its files."""
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            info = directory.stat()
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in visited:
            continue
        visited.add((info.st_dev, info.st_ino))
        if directory != root and (directory / "Chart.yaml").is_file():
            yield directory, True
            continue
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            yield directory, False
            continue
        subdirs = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in _SKIP_DIRS:
                    subdirs.append(path)
            else:
                yield path, False
        stack.extend(reversed(subdirs))


def _read_bytes(path: Path, display: str, max_bytes: int) -> bytes | Unevaluated:
    try:
        info = path.stat()
    except OSError as exc:
        reason = "broken symbolic link" if path.is_symlink() else exc.strerror or str(exc)
        return Unevaluated(display, 0, f"cannot read: {reason}")
    if stat.S_ISDIR(info.st_mode):
        return Unevaluated(display, 0, "cannot list the directory")
    if not stat.S_ISREG(info.st_mode):
        return Unevaluated(display, 0, "not a regular file (FIFO, socket or device)")
    if info.st_size > max_bytes:
        return Unevaluated(display, 0, f"larger than {max_bytes} bytes")
    try:
        return path.read_bytes()
    except OSError as exc:
        return Unevaluated(display, 0, f"cannot read: {exc.strerror or exc}")


def _text(data: bytes, display: str) -> str | Unevaluated:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Unevaluated(display, line, "not UTF-8 text")


def _archive_has_chart(data: bytes) -> bool:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for count, member in enumerate(archive):
                if count > _MAX_ARCHIVE_MEMBERS:
                    return False
                if member.name.count("/") == 1 and member.name.endswith("/Chart.yaml"):
                    return True
    except (tarfile.TarError, OSError, EOFError):
        return False
    return False


@dataclass(slots=True)
class _Builder:
    inventory: Inventory
    max_bytes: int
    required: int = 0

    def fail(self, entry: Unevaluated) -> None:
        self.inventory.unevaluated.append(entry)

    def add(self, kind: UnitKind, display: str, files: tuple[StagedFile, ...], weight: int) -> None:
        self.inventory.units.append(Unit(kind, display, files, weight))
        if kind is not UnitKind.OTHER:
            self.required += 1

    def yaml_file(self, relative: str, display: str, text: str) -> None:
        split = split_yaml(text, display)
        for document in split.documents:
            if document.problem:
                self.fail(Unevaluated(display, document.problem_line, document.problem))
        if not split.documents:
            self.fail(Unevaluated(display, 0, "empty: no YAML document to evaluate"))
            return
        staged = StagedFile(relative, split.staged.encode(), split)
        if split.kubernetes_objects:
            self.add(UnitKind.KUBERNETES, display, (staged,), split.kubernetes_objects)
            return
        if not any(d.problem for d in split.documents):
            self.inventory.not_kubernetes.append(display)
        self.add(UnitKind.OTHER, display, (staged,), 1)

    def json_file(self, relative: str, display: str, data: bytes, text: str) -> None:
        if not text.strip():
            self.fail(Unevaluated(display, 0, "empty: no JSON document to evaluate"))
            return
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            self.fail(Unevaluated(display, exc.lineno, f"invalid JSON: {exc.msg}"))
            return
        except RecursionError:
            self.fail(Unevaluated(display, 0, "invalid JSON: nests too deeply"))
            return
        staged = (StagedFile(relative, data),)
        if isinstance(value, dict) and {"apiVersion", "kind", "metadata"} <= value.keys():
            self.add(UnitKind.KUBERNETES, display, staged, 1)
        else:
            self.inventory.not_kubernetes.append(display)
            self.add(UnitKind.OTHER, display, staged, 1)

    def file(self, path: Path, relative: str, display: str) -> None:
        name = path.name
        lower = name.lower()
        dockerfile = _is_dockerfile(name)
        if not (dockerfile or lower.endswith((*_YAML, ".json", *_OTHER_CONFIG))):
            if not os.access(path, os.R_OK) or not path.exists():
                self.fail(Unevaluated(display, 0, "cannot read it (secrets not scanned)"))
            return
        data = _read_bytes(path, display, self.max_bytes)
        if isinstance(data, Unevaluated):
            self.fail(data)
            return
        if lower.endswith(_OTHER_CONFIG):
            chart = lower.endswith((".tgz", ".tar.gz")) and _archive_has_chart(data)
            kind = UnitKind.HELM if chart else UnitKind.OTHER
            self.add(kind, display, (StagedFile(relative, data),), 10 if chart else 1)
            return
        text = _text(data, display)
        if isinstance(text, Unevaluated):
            self.fail(text)
        elif dockerfile:
            if not any(ln.strip() and not ln.lstrip().startswith("#") for ln in text.split("\n")):
                self.fail(Unevaluated(display, 0, "empty: no Dockerfile instruction"))
            else:
                self.add(UnitKind.DOCKERFILE, display, (StagedFile(relative, data),), 1)
        elif lower.endswith(".json"):
            self.json_file(relative, display, data, text)
        else:
            self.yaml_file(relative, display, text)

    def chart(self, directory: Path, prefix: str, display: str) -> None:
        files: list[StagedFile] = []
        for path in _walk_all(directory):
            rel = path.relative_to(directory).as_posix()
            data = _read_bytes(path, f"{display}/{rel}", self.max_bytes)
            if isinstance(data, Unevaluated):
                self.fail(data)
                return
            files.append(StagedFile(f"{prefix}/{rel}", data))
        self.add(UnitKind.HELM, display, tuple(files), 10)


def _walk_all(directory: Path) -> Iterator[Path]:
    """Every file of a chart, sub-charts included."""
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            yield Path(dirpath) / name


def take_inventory(paths: tuple[Path, ...], *, max_bytes: int = MAX_BYTES) -> Inventory:
    """Walk ``paths`` (files or directories) and sort every entry."""
    inventory = Inventory()
    for index, path in enumerate(paths):
        key = str(index)
        builder = _Builder(inventory, max_bytes)
        shown = path.as_posix()
        before = len(inventory.unevaluated)
        if not path.exists() and not path.is_symlink():
            inventory.unevaluated.append(Unevaluated(shown, 0, "no such file or directory"))
            continue
        if path.is_dir():
            inventory.bases[key] = shown
            if (path / "Chart.yaml").is_file():
                builder.chart(path, f"{key}/{path.resolve().name}", shown)
                inventory.bases[key] = path.parent.as_posix()
            else:
                for entry, is_chart in _walk(path):
                    rel = entry.relative_to(path).as_posix()
                    display = f"{shown.rstrip('/')}/{rel}" if shown != "." else rel
                    if is_chart:
                        builder.chart(entry, f"{key}/{rel}", display)
                    else:
                        builder.file(entry, f"{key}/{rel}", display)
        else:
            inventory.bases[key] = path.parent.as_posix()
            builder.file(path, f"{key}/{path.name}", shown)
        if builder.required == 0 and len(inventory.unevaluated) == before:
            inventory.unevaluated.append(
                Unevaluated(
                    shown,
                    0,
                    "no Kubernetes manifest, Helm chart or Dockerfile found: nothing evaluated",
                )
            )
    return inventory
