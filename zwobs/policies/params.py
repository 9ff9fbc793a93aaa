"""The parameters policies take from the catalog: registries, required labels, teams."""

from __future__ import annotations

from dataclasses import dataclass

from zwobs.catalog.model import Catalog

__all__ = ["PolicyParams"]


@dataclass(frozen=True, slots=True)
class PolicyParams:
    """Sorted and de-duplicated, so rendered output is byte-stable."""

    registries: tuple[str, ...] = ()
    required_labels: tuple[str, ...] = ("team",)
    teams: tuple[str, ...] = ()

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> PolicyParams:
        """Registries of the catalog and of every service; teams of every service."""
        registries = {r.rstrip("/") for r in catalog.registries}
        registries.update(r.rstrip("/") for s in catalog.services for r in s.registries)
        return cls(
            registries=tuple(sorted(r for r in registries if r)),
            required_labels=tuple(sorted(set(catalog.required_labels))),
            teams=tuple(sorted({s.team for s in catalog.services if s.team})),
        )

    def as_data(self) -> dict[str, list[str]]:
        """The document Trivy loads as ``data.zwobs_config``."""
        return {
            "registries": list(self.registries),
            "required_labels": list(self.required_labels),
            "teams": list(self.teams),
        }
