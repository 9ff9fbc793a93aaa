"""`zwobs scan`: Trivy with the zwobs pack, findings people can act on, and a CI gate.

Run Trivy offline over manifests and Dockerfiles (built-in checks plus the zwobs
pack, secrets, vulnerabilities when a database exists), prove the pack actually ran,
name the resource behind every finding, apply waivers and a baseline, decide the gate,
and write table, JSON, SARIF 2.1.0 or JUnit XML.
"""

from __future__ import annotations

from .baseline import load_baseline, write_baseline
from .formats import render_json, render_table
from .gate import Assessed, GatePolicy, GateResult, Status, evaluate
from .ids import normalise_id
from .junit import render_junit
from .model import Category, Finding, Resource, Severity
from .outcome import ScanOutcome
from .runner import ScanOptions, run_scan
from .sarif import render_sarif
from .trivy import ScanError, Trivy, find_trivy
from .waivers import Waiver, load_waivers

__all__ = [
    "FORMATS",
    "Assessed",
    "Category",
    "Finding",
    "GatePolicy",
    "GateResult",
    "Resource",
    "ScanError",
    "ScanOptions",
    "ScanOutcome",
    "Severity",
    "Status",
    "Trivy",
    "Waiver",
    "evaluate",
    "find_trivy",
    "load_baseline",
    "load_waivers",
    "normalise_id",
    "render",
    "run_scan",
    "write_baseline",
]

FORMATS = ("table", "json", "sarif", "junit")


def render(outcome: ScanOutcome, fmt: str) -> str:
    """``outcome`` in one of :data:`FORMATS`."""
    renderers = {
        "table": render_table,
        "json": render_json,
        "sarif": render_sarif,
        "junit": render_junit,
    }
    if fmt not in renderers:
        raise ScanError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return renderers[fmt](outcome)
