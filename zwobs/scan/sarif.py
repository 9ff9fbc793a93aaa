"""SARIF 2.1.0 for code-scanning UIs.

``level`` follows the gate: ``error`` exactly for findings that fail it, ``warning``
for counted findings it allows at MEDIUM and above, ``note`` below. Waived, baselined
and unfixed findings carry a ``suppressions`` entry. ``partialFingerprints`` hold the
line-independent fingerprint, so alerts survive edits above them.
"""

from __future__ import annotations

import json
from typing import Any

from zwobs.version import VERSION

from .gate import Assessed, Status
from .model import Severity
from .outcome import ScanOutcome

__all__ = ["FINGERPRINT_KEY", "render_sarif"]

FINGERPRINT_KEY = "zwobsFindingHash/v1"
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.UNKNOWN: "0.0",
}


def _level(item: Assessed) -> str:
    if item.status is Status.FAIL:
        return "error"
    return "warning" if item.finding.severity.rank >= Severity.MEDIUM.rank else "note"


def _rule(item: Assessed) -> dict[str, Any]:
    f = item.finding
    rule: dict[str, Any] = {
        "id": f.check_id,
        "name": f.check_id.replace("-", ""),
        "shortDescription": {"text": f.title or f.check_id},
        "fullDescription": {"text": f.title or f.message or f.check_id},
        "help": {"text": f.resolution or f.title or f.check_id},
        "defaultConfiguration": {
            "level": "error" if f.severity.rank >= Severity.HIGH.rank else "warning"
        },
        "properties": {
            "security-severity": _SECURITY_SEVERITY[f.severity],
            "tags": ["security", f.category.value] + (["zwobs-pack"] if f.custom else []),
        },
    }
    if f.url:
        rule["helpUri"] = f.url
    return rule


def _result(item: Assessed, rule_index: int) -> dict[str, Any]:
    f = item.finding
    region: dict[str, int] = {}
    if f.start_line:
        region = {"startLine": f.start_line, "endLine": max(f.end_line, f.start_line)}
    physical: dict[str, Any] = {"artifactLocation": {"uri": f.path}}
    if region:
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if f.resource is not None:
        name = f.resource.key + (f"/{f.resource.container}" if f.resource.container else "")
        location["logicalLocations"] = [
            {
                "fullyQualifiedName": name,
                "kind": "resource" if f.resource.kind != "Stage" else "module",
            }
        ]
    text = f.message or f.title
    if f.resource is not None:
        text = f"{text} [{f.resource}]"
    result: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": rule_index,
        "level": _level(item),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {"severity": f.severity.value, "gateStatus": item.status.value},
    }
    if item.status.suppressed:
        justification = {
            Status.WAIVED: (
                f"waived by {item.waiver.owner} until {item.waiver.expires.isoformat()}: "
                f"{item.waiver.reason}"
                if item.waiver
                else "waived"
            ),
            Status.BASELINE: "in the baseline",
            Status.UNFIXED: "no fixed version available (--ignore-unfixed)",
        }[item.status]
        result["suppressions"] = [{"kind": "external", "justification": justification}]
    return result


def _invocation(outcome: ScanOutcome) -> dict[str, Any]:
    """The run's invocation: an input that was not evaluated is an error notification
    (SARIF's place for "could not analyse this file"), and the run did not succeed."""
    notifications = []
    for item in outcome.unevaluated:
        physical: dict[str, Any] = {"artifactLocation": {"uri": item.path}}
        if item.line:
            physical["region"] = {"startLine": item.line}
        notifications.append(
            {
                "level": "error",
                "message": {"text": f"not evaluated: {item.reason}"},
                "locations": [{"physicalLocation": physical}],
                "descriptor": {"id": "zwobs-not-evaluated"},
            }
        )
    return {
        "executionSuccessful": not outcome.unevaluated,
        "toolExecutionNotifications": notifications,
    }


def render_sarif(outcome: ScanOutcome) -> str:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results = []
    ordered = sorted(
        outcome.gate.assessed,
        key=lambda a: (
            a.finding.path,
            a.finding.start_line,
            a.finding.check_id,
            a.finding.fingerprint,
        ),
    )
    for item in ordered:
        if item.finding.check_id not in index:
            index[item.finding.check_id] = len(rules)
            rules.append(_rule(item))
        results.append(_result(item, index[item.finding.check_id]))
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "zwobs",
                        "semanticVersion": VERSION,
                        "rules": rules,
                    }
                },
                "results": results,
                "invocations": [_invocation(outcome)],
                "properties": {
                    "trivyVersion": outcome.trivy_version,
                    "gatePassed": outcome.passed,
                },
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
