"""The rendered AnalysisTemplate against the live Prometheus, decided by Argo Rollouts' own
expression engine (tests/servers/argoexpr) on the answers Prometheus gave: the healthy canary
succeeds, the bad one fails and one without traffic is inconclusive, on every metric."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.live.conftest import CANARY, SERVICE, STABLE, Live
from tests.servers.argoexpr import ArgoExpr, build_argoexpr
from zwobs import names

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def argo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArgoExpr]:
    yield build_argoexpr(tmp_path_factory.mktemp("argoexpr"))


def _phases(live: Live, argo: ArgoExpr, version: str) -> dict[str, tuple[str, Any]]:
    template = yaml.safe_load(live.rendered[f"rollouts/{SERVICE}.analysis.yaml"])
    metrics = template["spec"]["metrics"]
    answers = []
    for metric in metrics:
        query = (
            metric["provider"]["prometheus"]["query"]
            .replace("{{args.canary-label}}", names.LABEL_VERSION)
            .replace("{{args.canary-value}}", version)
        )
        answers.append(live.prometheus.api("query", query=query))
    cases = [
        {k: m[k] for k in ("successCondition", "failureCondition")} | {"data": data}
        for m, data in zip(metrics, answers, strict=True)
    ]
    phases = argo.phases(cases)
    return {m["name"]: (p, d["result"]) for m, p, d in zip(metrics, phases, answers, strict=True)}


@pytest.mark.parametrize(
    ("version", "phase"),
    [(STABLE, "Successful"), (CANARY, "Failed"), ("v9-no-traffic", "Inconclusive")],
)
def test_argos_engine_decides_every_metric_of_the_live_canary(
    live: Live, argo: ArgoExpr, version: str, phase: str
) -> None:
    phases = _phases(live, argo, version)
    assert sorted(phases) == ["latency-p95", "slo-latency", "success-rate"]
    assert {name: p for name, (p, _) in phases.items()} == dict.fromkeys(phases, phase), phases
