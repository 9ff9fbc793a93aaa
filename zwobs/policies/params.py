"""The parameters policies take from the catalog: registries, required labels, teams and
the capabilities a container may add."""

from __future__ import annotations

from dataclasses import dataclass

from zwobs.catalog.model import DEFAULT_ALLOWED_CAPABILITIES, Catalog

__all__ = ["DEFAULT_ALLOWED_CAPABILITIES", "PolicyParams", "normalise_capability"]

"""What a web service may add back after dropping ALL: binding a port below 1024."""


def normalise_capability(name: str) -> str:
    """``cap_net_admin`` and ``CAP_NET_ADMIN`` as the runtime reads them: ``NET_ADMIN``."""
    upper = name.strip().upper()
    return upper.removeprefix("CAP_")


@dataclass(frozen=True, slots=True)
class PolicyParams:
    """Sorted and de-duplicated, so rendered output is byte-stable."""

    registries: tuple[str, ...] = ()
    required_labels: tuple[str, ...] = ("team",)
    teams: tuple[str, ...] = ()
    allowed_capabilities: tuple[str, ...] = DEFAULT_ALLOWED_CAPABILITIES
    """Capabilities ``securityContext.capabilities.add`` may name (upper case, no CAP_)."""

    def __post_init__(self) -> None:
        names = {normalise_capability(c) for c in self.allowed_capabilities}
        object.__setattr__(self, "allowed_capabilities", tuple(sorted(n for n in names if n)))

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> PolicyParams:
        """Registries of the catalog and of every service; teams of every service."""
        registries = {r.rstrip("/") for r in catalog.registries}
        registries.update(r.rstrip("/") for s in catalog.services for r in s.registries)
        # The catalog key is optional: a catalog model without it keeps the default.
        return cls(
            registries=tuple(sorted(r for r in registries if r)),
            required_labels=tuple(sorted(set(catalog.required_labels))),
            teams=tuple(sorted({s.team for s in catalog.services if s.team})),
            allowed_capabilities=catalog.allowed_capabilities,
        )

    def as_data(self) -> dict[str, list[str]]:
        """The document Trivy loads as ``data.zwobs_config``."""
        return {
            "registries": list(self.registries),
            "required_labels": list(self.required_labels),
            "teams": list(self.teams),
            "allowed_capabilities": list(self.allowed_capabilities),
        }
