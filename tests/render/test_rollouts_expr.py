"""Every rendered successCondition/failureCondition, decided by Argo Rollouts' own expression
engine (github.com/antonmedv/expr, built from Debian's Go packages) on Prometheus answers as
the prometheus provider receives them: healthy, failing, at the limit, NaN, +Inf and empty.

The expected phase comes from ``zwobs verify``'s decision on the same number, so the canary
and the gate are shown to judge alike; no Python translation of the conditions is involved.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers.argoexpr import ArgoExpr, build_argoexpr
from tests.verify.test_limits import VARIED
from zwobs.catalog import load_catalog
from zwobs.catalog.model import Catalog, Service
from zwobs.render import render_all
from zwobs.verify.decision import Measurement, Outcome, Thresholds, decide
from zwobs.verify.limits import service_limits

ROOT = Path(__file__).resolve().parents[2]
PHASE = {Outcome.PASS: "Successful", Outcome.FAIL: "Failed"}


@pytest.fixture(scope="module")
def argo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArgoExpr]:
    yield build_argoexpr(tmp_path_factory.mktemp("argoexpr"))


def _vector(*values: float) -> dict[str, Any]:
    """The ``data`` of a /api/v1/query answer (values are strings, as Prometheus writes them)."""

    def text(value: float) -> str:
        if math.isnan(value):
            return "NaN"
        return ("+Inf" if value > 0 else "-Inf") if math.isinf(value) else repr(value)

    return {
        "resultType": "vector",
        "result": [{"metric": {}, "value": [1700000000.0, text(v)]} for v in values],
    }


def _gate_phase(service: Service, metric: str, value: float) -> str:
    """What ``zwobs verify --catalog`` decides on the same measurement (enough traffic)."""
    limits = service_limits(service)
    thresholds = Thresholds(limits.max_error_ratio, limits.max_latency_seconds, 0.95, 0.0)
    if metric == "success-rate":
        measured = Measurement(requests=1000, error_ratio=value, latency_seconds=0.0)
    else:
        measured = Measurement(requests=1000, error_ratio=0.0, latency_seconds=value)
    return PHASE.get(decide(measured, thresholds).outcome, "Inconclusive")


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> list[Catalog]:
    """The example catalog and one where each limit source is in turn the strictest."""
    varied = tmp_path_factory.mktemp("catalogs") / "varied.yaml"
    varied.write_text(VARIED)
    return [load_catalog([ROOT / "examples" / "catalog.yaml"]), load_catalog([varied])]


def _metrics(catalog: Catalog) -> list[tuple[Service, dict[str, Any]]]:
    rendered = render_all(catalog, only=("rollouts",)).files
    out = []
    for service in catalog.services:
        template = yaml.safe_load(rendered[f"rollouts/{service.name}.analysis.yaml"])
        out += [(service, metric) for metric in template["spec"]["metrics"]]
    return out


def _limit(metric: dict[str, Any]) -> float:
    return float(metric["successCondition"].rsplit(" ", 1)[-1])


def _case(metric: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {
        "successCondition": metric["successCondition"],
        "failureCondition": metric["failureCondition"],
        "data": data,
    }


def test_no_data_is_inconclusive_for_every_metric(argo: ArgoExpr, catalogs: list[Catalog]) -> None:
    metrics = [m for catalog in catalogs for _, m in _metrics(catalog)]
    cases = [_case(m, d) for m in metrics for d in (_vector(), _vector(math.nan))]
    assert argo.phases(cases) == ["Inconclusive"] * len(cases)
    assert len(metrics) == 16  # 2 + 3 (example), 2 x 5 + 1 latency SLO (varied)


def test_argo_and_the_gate_decide_alike_around_every_limit(
    argo: ArgoExpr, catalogs: list[Catalog]
) -> None:
    cases, expected = [], []
    for catalog in catalogs:
        for service, metric in _metrics(catalog):
            limit = _limit(metric)
            if metric["name"] == "success-rate":
                # One measured 5xx ratio: the gate reads it, the canary query 1 - it.
                max_errors = service_limits(service).max_error_ratio
                for ratio in (0.0, max_errors, max_errors + 1e-6, 1.0):
                    cases.append(_case(metric, _vector(1 - ratio)))
                    expected.append(_gate_phase(service, metric["name"], ratio))
            elif metric["name"] == "latency-p95":
                for seconds in (0.0, limit, limit + 1e-6, math.inf):  # +Inf: above every bucket
                    cases.append(_case(metric, _vector(seconds)))
                    expected.append(_gate_phase(service, metric["name"], seconds))
            else:  # slo-<name>: share of fast requests, which the gate does not read
                for share in (1.0, limit, limit - 1e-6):
                    cases.append(_case(metric, _vector(share)))
                    expected.append("Successful" if share >= limit else "Failed")
    phases = argo.phases(cases)
    assert phases == expected
    # 16 metrics: good value and limit pass; just past it (and the worst value) fail.
    assert (phases.count("Successful"), phases.count("Failed")) == (32, 30)


def test_without_the_guard_argo_errors_on_empty_and_fails_on_nan(argo: ArgoExpr) -> None:
    """Why every condition starts with the guard: without it no traffic is an Error (counted
    towards consecutiveErrorLimit) or, with a success condition alone, a NaN is a failure."""
    unguarded = {"successCondition": "result[0] >= 0.99", "failureCondition": "result[0] < 0.99"}
    success_only = {"successCondition": "result[0] >= 0.99", "failureCondition": ""}
    empty, nan = argo.phases(
        [{**unguarded, "data": _vector()}, {**success_only, "data": _vector(math.nan)}]
    )
    assert empty.startswith("Error: ") and "out of range" in empty
    assert nan == "Failed"
