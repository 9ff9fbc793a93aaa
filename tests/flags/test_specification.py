"""The whole Unleash client specification, through zwobs.flags's public API.

Every case of ``@unleash/client-specification`` (installed, pinned, by
scripts/install-unleash-spec.sh): each specification's state is loaded as a bootstrap
(including the delta-API hydration and event documents) and every ``tests`` and
``variantTests`` case is asked of a ``FlagsClient``.
"""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from tests.flags.specification import INSTALL, SPEC_CASES, specifications
from zwobs.flags import FlagsClient


def _cases() -> list[Any]:
    return [
        pytest.param(spec, kind, case, id=f"{spec['name']}:{kind}[{i}]")
        for spec in specifications()
        for kind in ("tests", "variantTests")
        for i, case in enumerate(spec.get(kind, []))
    ]


_clients: dict[str, FlagsClient] = {}


def _client(spec: dict[str, Any]) -> FlagsClient:
    """One client per specification, bootstrapped with its state; no request context."""
    client = _clients.get(spec["name"])
    if client is None:
        client = _clients[spec["name"]] = FlagsClient(
            bootstrap=spec["state"],
            context_extractor=None,
            send_metrics=False,
            registry=CollectorRegistry(),
        )
    return client


def test_the_pinned_specification_has_all_its_cases() -> None:
    assert specifications(), INSTALL
    count = sum(len(s.get("tests", [])) + len(s.get("variantTests", [])) for s in specifications())
    assert count == SPEC_CASES


@pytest.mark.parametrize(("spec", "kind", "case"), _cases())
def test_unleash_specification_case(spec: dict[str, Any], kind: str, case: dict[str, Any]) -> None:
    client = _client(spec)
    context = case["context"]
    if kind == "tests":
        assert client.is_enabled(case["toggleName"], context=context) is case["expectedResult"]
        return
    expected = case["expectedResult"]
    variant = client.get_variant(case["toggleName"], context=context)
    payload = expected.get("payload")
    assert (variant.name, variant.enabled) == (expected["name"], expected["enabled"])
    assert variant.feature_enabled == expected.get("feature_enabled", variant.feature_enabled)
    if payload is None:
        assert variant.payload is None
    else:
        assert (variant.payload_type, variant.payload) == (payload["type"], payload["value"])
