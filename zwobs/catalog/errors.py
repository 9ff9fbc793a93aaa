"""Catalog problems: each one with file, line, column and field path, all reported at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zwobs.printable import printable

__all__ = ["CatalogError", "Issue"]


@dataclass(frozen=True, slots=True, order=True)
class Issue:
    """One problem in one place; ``str()`` is ``file:line:column: path: message``, with
    control characters from the user's file (a key holding a newline) shown escaped."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return printable(text)


class CatalogError(Exception):
    """The catalog is invalid; ``issues`` holds every problem found, sorted by position."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(sorted(issues))
        super().__init__("\n".join(str(i) for i in self.issues))
