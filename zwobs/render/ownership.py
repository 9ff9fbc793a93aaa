"""What ``zwobs render`` owns in an output directory: the files its manifest lists.

Each output directory (``alerts/``, ``dashboards/``...) holds ``.zwobs-manifest.json``,
the list of files render wrote there. A manifest rather than a marker inside each file,
because Grafana JSON cannot carry a comment and Rego files must start with their METADATA
block. The manifest is input a user (or anyone with write access) can edit, so every entry
is checked: relative, no ``..``, bounded in size and nesting.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Final

__all__ = ["MANIFEST", "OwnershipError", "manifest_bytes", "owned_paths"]

MANIFEST: Final = ".zwobs-manifest.json"
"""Per output directory: the files zwobs render wrote there (the only ones it may touch)."""

_MAX_MANIFEST = 64 * 1024 * 1024


class OwnershipError(Exception):
    """The render would overwrite something zwobs did not write, or act outside ``--out``,
    or a manifest cannot be read; nothing was written. ``lines`` are for the user."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = tuple(lines)
        super().__init__("\n".join(self.lines))


def manifest_bytes(top: str, paths: Iterable[str]) -> bytes:
    """The manifest of ``top`` listing ``paths`` (``top/...``): sorted, stable bytes, so it
    only changes in git when the set of files does."""
    entries = sorted(p.split("/", 1)[1] for p in paths)
    document = {
        "about": "Files `zwobs render` wrote in this directory. It overwrites or removes only"
        " these; every other file here is left alone.",
        "files": entries,
    }
    return (json.dumps(document, indent=1) + "\n").encode()


def _bad_entry(entry: object) -> bool:
    if not isinstance(entry, str) or entry.startswith("/") or "\\" in entry:
        return True
    return any(part in ("", ".", "..") for part in entry.split("/"))


def owned_paths(out: Path, top: str) -> set[str]:
    """The paths (``top/...``) the manifest of ``top`` lists; OwnershipError if unreadable.
    Entries are only ever compared with paths found under ``top``, never opened as given."""
    path = out / top / MANIFEST
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return set()
    where = f"{path}: "
    if not stat.S_ISREG(info.st_mode):
        raise OwnershipError([f"{where}expected the zwobs manifest (a regular file)"])
    if info.st_size > _MAX_MANIFEST:
        raise OwnershipError([f"{where}larger than {_MAX_MANIFEST} bytes; not a zwobs manifest"])
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as error:
        raise OwnershipError([f"{where}not a zwobs manifest ({error})"]) from None
    entries = document.get("files") if isinstance(document, dict) else None
    if not isinstance(entries, list) or any(_bad_entry(e) for e in entries):
        raise OwnershipError(
            [
                f'{where}not a zwobs manifest (expected {{"files": [relative paths]}});'
                " fix it, or delete it and render again (files identical to the render are"
                " then adopted, every other file is left alone)"
            ]
        )
    return {f"{top}/{entry}" for entry in entries}
