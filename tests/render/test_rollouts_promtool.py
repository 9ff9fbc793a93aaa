"""The AnalysisTemplate queries on synthetic series (promtool test rules): the no-traffic cases.

The live test covers a canary that exports nothing; here an idle canary (its
pods are up and scraped, its counters flat) and a canary without a single 5xx
series are replayed, with exact results.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.render.catalogs import USER
from tests.servers.prometheus import promtool
from zwobs import names
from zwobs.render.rollouts import analysis_template


def _target(instance: str, version: str, values: str) -> list[dict[str, str]]:
    """One scraped process of user-service: build info, a 200 counter and its histogram."""
    target = f'service="user-service",instance="{instance}",job="user-service"'
    route = f'{target},method="GET",path="/"'
    bucket = f"{names.REQUEST_DURATION}_bucket"
    return [
        {"series": f'{names.BUILD_INFO}{{{target},version="{version}"}}', "values": "1x30"},
        {"series": f'{names.REQUESTS_TOTAL}{{{route},status="200"}}', "values": values},
        {"series": f'{bucket}{{{route},le="0.5"}}', "values": values},
        {"series": f'{bucket}{{{route},le="+Inf"}}', "values": values},
        {"series": f"{names.REQUEST_DURATION}_count{{{route}}}", "values": values},
    ]


# v1 serves 600 requests a minute, none a 5xx (no 5xx series exists at all); v2 is deployed
# and scraped but idle: its counters never move.
SERIES = _target("10.0.0.1:8000", "v1", "0+600x30") + _target("10.0.0.2:8000", "v2", "5x30")


def _queries(version: str) -> dict[str, str]:
    return {
        m["name"]: m["provider"]["prometheus"]["query"]
        .replace("{{args.canary-label}}", names.LABEL_VERSION)
        .replace("{{args.canary-value}}", version)
        for m in analysis_template(USER)["spec"]["metrics"]
    }


def _run(tmp_path: Path, checks: list[dict[str, Any]]) -> str:
    (tmp_path / "empty.rules.yaml").write_text("groups: []\n")
    spec = {
        "rule_files": ["empty.rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": SERIES, "promql_expr_test": checks}],
    }
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    done = subprocess.run(
        [promtool(), "test", "rules", "t.yaml"], cwd=tmp_path, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    return "" if done.returncode == 0 else done.stdout + done.stderr


def test_busy_canary_without_any_5xx_series_has_success_rate_1(tmp_path: Path) -> None:
    queries = _queries("v1")
    checks = [
        {"expr": queries["success-rate"], "eval_time": "10m",
         "exp_samples": [{"labels": "{}", "value": 1}]},
        {"expr": queries["slo-latency"], "eval_time": "10m",
         "exp_samples": [{"labels": "{}", "value": 1}]},
    ]  # fmt: skip
    assert _run(tmp_path, checks) == ""


def test_idle_canary_gives_empty_ratios_and_nan_latency(tmp_path: Path) -> None:
    queries = _queries("v2")
    checks = [
        {"expr": queries["success-rate"], "eval_time": "10m", "exp_samples": []},
        {"expr": queries["slo-latency"], "eval_time": "10m", "exp_samples": []},
        # promtool cannot compare NaN: NaN is the one value that is not equal to itself.
        {"expr": f"count(({queries['latency-p95']}) != ({queries['latency-p95']}))",
         "eval_time": "10m", "exp_samples": [{"labels": "{}", "value": 1}]},
    ]  # fmt: skip
    assert _run(tmp_path, checks) == ""


def test_location_argument_judges_only_the_canary_of_that_region(tmp_path: Path) -> None:
    """Two regions run v2; only eu-west-1's fails. Scoped to us-east-1 the canary passes with
    success rate 1, scoped to eu-west-1 it shows its 50%, unscoped (default .*) the mix (2/3)."""
    bad_target = 'service="user-service",instance="10.1.0.2:8000",job="user-service"'
    series = [
        {**s, "series": s["series"].replace("}", ',region="us-east-1"}', 1)}
        for s in _target("10.0.0.2:8000", "v2", "0+600x30")
    ]
    series += [
        {**s, "series": s["series"].replace("}", ',region="eu-west-1"}', 1)}
        for s in _target("10.1.0.2:8000", "v2", "0+600x30")
    ]
    series.append(
        {
            "series": f'{names.REQUESTS_TOTAL}{{{bad_target},method="GET",path="/",'
            'region="eu-west-1",status="500"}',
            "values": "0+600x30",
        }
    )
    template = analysis_template(USER, locations=("region",))
    assert {"name": "region", "value": ".*"} in template["spec"]["args"]
    query = next(
        m["provider"]["prometheus"]["query"]
        for m in template["spec"]["metrics"]
        if m["name"] == "success-rate"
    )
    query = query.replace("{{args.canary-label}}", "version").replace("{{args.canary-value}}", "v2")
    checks = [
        {"expr": query.replace("{{args.region}}", region), "eval_time": "10m",
         "exp_samples": [{"labels": "{}", "value": value}]}
        for region, value in (("us-east-1", 1), ("eu-west-1", 0.5), (".*", 1 - 1 / 3))
    ]  # fmt: skip
    (tmp_path / "empty.rules.yaml").write_text("groups: []\n")
    spec = {
        "rule_files": ["empty.rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": checks}],
    }
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    done = subprocess.run(
        [promtool(), "test", "rules", "t.yaml"], cwd=tmp_path, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
