"""The optional extras, what each brings, and the one error a missing one raises.

The core install (``pip install zwobs``) holds the metrics middleware, the tracing API
part, the catalog, ``validate``, ``verify``, ``scan``, the file secrets provider and every
render but dashboards. A module that needs more imports its extra's packages at its top
inside ``try`` and raises :func:`missing_extra` of the failure, so a user sees one line
naming the extra (and the CLI exits 2) instead of a traceback.
"""

from __future__ import annotations

from typing import Final

__all__ = ["EXTRAS", "MissingExtraError", "missing_extra"]

EXTRAS: Final[dict[str, tuple[str, ...]]] = {
    "render": ("grafana_foundation_sdk",),
    "flags": ("UnleashClient", "yggdrasil_engine"),
    "openfeature": ("openfeature",),
    "promql": ("promql_parser",),
    "secrets": ("hvac", "requests"),
    "tracing": ("opentelemetry.sdk", "opentelemetry.exporter", "httpx"),
}
"""Extra name -> the top-level modules it installs that zwobs imports."""


class MissingExtraError(ImportError):
    """A feature was used whose optional extra is not installed; the message says how to add it."""

    def __init__(self, what: str, extra: str, module: str) -> None:
        super().__init__(
            f"{what} needs the {extra} extra ({module} is not installed):"
            f" pip install 'zwobs[{extra}]'",
            name=module,
        )
        self.extra = extra


def missing_extra(error: ModuleNotFoundError, extra: str, what: str) -> ImportError:
    """The error to raise for ``error``: :class:`MissingExtraError` when the module that
    failed belongs to ``extra``, else ``error`` itself (a real bug keeps its traceback)."""
    name = error.name or ""
    for module in EXTRAS[extra]:
        if name == module or name.startswith(module + "."):
            return MissingExtraError(what, extra, module)
    return error
