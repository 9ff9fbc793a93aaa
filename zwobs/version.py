"""The zwobs version, from one place: the installed package metadata (pyproject's ``version``).

A leaf module (stdlib only) so that the runtime parts can name their version without
importing ``zwobs`` itself. A source tree used without installing (``PYTHONPATH=.``) has no
metadata: it reads the ``version`` of the pyproject.toml beside it.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Final

__all__ = ["VERSION"]

_UNKNOWN: Final = "0+unknown"


def _from_source_tree() -> str:
    import tomllib  # only here: installed zwobs never needs it

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        with pyproject.open("rb") as file:
            version = tomllib.load(file).get("project", {}).get("version")
    except (OSError, tomllib.TOMLDecodeError):
        return _UNKNOWN
    return version if isinstance(version, str) else _UNKNOWN


def _version() -> str:
    try:
        return metadata.version("zwobs")
    except metadata.PackageNotFoundError:
        return _from_source_tree()


VERSION: Final[str] = _version()
"""The version of this zwobs, e.g. ``0.1.0``; ``0+unknown`` when nothing says."""
