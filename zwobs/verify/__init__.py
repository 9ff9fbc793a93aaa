"""``zwobs verify``: the deployment gate that reads a live Prometheus.

Runtime-free and catalog-free (it imports neither render/ nor catalog/): a
deploy script needs only a Prometheus URL and a service name.
"""

from __future__ import annotations

from zwobs.verify.client import (
    InvalidResponseError,
    PrometheusClient,
    QueryRejectedError,
    Sample,
    UnreachableError,
)
from zwobs.verify.decision import Measurement, Outcome, Thresholds, Verdict, decide
from zwobs.verify.gate import Check, measure, parse_selector, render_json, render_text, run

__all__ = [
    "Check",
    "InvalidResponseError",
    "Measurement",
    "Outcome",
    "PrometheusClient",
    "QueryRejectedError",
    "Sample",
    "Thresholds",
    "UnreachableError",
    "Verdict",
    "decide",
    "measure",
    "parse_selector",
    "render_json",
    "render_text",
    "run",
]
