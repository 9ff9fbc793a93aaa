"""The rendered AnalysisTemplate's queries and conditions against the live Prometheus.

A healthy canary (v1) succeeds on every metric, a bad one (v2) fails on every
metric, and a canary without traffic (v9) is inconclusive rather than a pass
or a spurious failure.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml

from tests.live.conftest import CANARY, SERVICE, STABLE, Live
from zwobs import names

pytestmark = pytest.mark.integration


def argo_outcome(metric: dict[str, Any], result: list[float]) -> str:
    """Stand-in for Argo Rollouts' measurement decision (its expr-lang evaluator cannot run here).

    Translates the subset of expr-lang the templates use (``&&``, ``!isNaN``,
    ``len``, comparisons) to Python; failure is checked first, then success,
    and neither with both conditions set is Inconclusive, as Argo does.
    """

    def holds(condition: str) -> bool:
        python = condition.replace("&&", " and ").replace("!isNaN(", "not isNaN(")
        scope = {"len": len, "isNaN": math.isnan, "result": result}
        return bool(eval(python, {"__builtins__": {}}, scope))

    if holds(metric["failureCondition"]):
        return "Failed"
    if holds(metric["successCondition"]):
        return "Successful"
    return "Inconclusive"


def _template(live: Live) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(live.rendered[f"rollouts/{SERVICE}.analysis.yaml"])
    return loaded


def _outcomes(live: Live, version: str) -> dict[str, tuple[str, list[float]]]:
    outcomes = {}
    for metric in _template(live)["spec"]["metrics"]:
        query = (
            metric["provider"]["prometheus"]["query"]
            .replace("{{args.canary-label}}", names.LABEL_VERSION)
            .replace("{{args.canary-value}}", version)
        )
        result = [float(s["value"][1]) for s in live.prometheus.query(query)]
        outcomes[metric["name"]] = (argo_outcome(metric, result), result)
    return outcomes


def test_template_has_success_rate_latency_and_slo_metrics(live: Live) -> None:
    names_ = [m["name"] for m in _template(live)["spec"]["metrics"]]
    assert names_ == ["success-rate", "latency-p95", "slo-latency"]


def test_healthy_canary_succeeds_on_every_metric(live: Live) -> None:
    outcomes = _outcomes(live, STABLE)
    assert {name: o for name, (o, _) in outcomes.items()} == dict.fromkeys(
        outcomes, "Successful"
    ), outcomes


def test_failing_canary_fails_on_every_metric(live: Live) -> None:
    outcomes = _outcomes(live, CANARY)
    assert {name: o for name, (o, _) in outcomes.items()} == dict.fromkeys(outcomes, "Failed"), (
        outcomes
    )


def test_canary_without_traffic_is_inconclusive_not_passed_or_failed(live: Live) -> None:
    outcomes = _outcomes(live, "v9-no-traffic")
    assert {name: o for name, (o, _) in outcomes.items()} == dict.fromkeys(
        outcomes, "Inconclusive"
    ), outcomes


def test_condition_translation_follows_argo_precedence() -> None:
    metric = {
        "successCondition": "len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.95",
        "failureCondition": "len(result) > 0 && !isNaN(result[0]) && result[0] < 0.95",
    }
    assert argo_outcome(metric, [0.99]) == "Successful"
    assert argo_outcome(metric, [0.5]) == "Failed"
    assert argo_outcome(metric, []) == "Inconclusive"
    assert argo_outcome(metric, [math.nan]) == "Inconclusive"
