"""Human and machine output: a table for terminals and a JSON document."""

from __future__ import annotations

import json
from typing import Any

from .gate import Assessed, Status
from .model import Severity
from .outcome import ScanOutcome

__all__ = ["render_json", "render_table", "summary_lines"]

_ORDER = {Status.FAIL: 0, Status.WARN: 1, Status.UNFIXED: 2, Status.BASELINE: 3, Status.WAIVED: 4}


def _sorted(outcome: ScanOutcome) -> list[Assessed]:
    return sorted(
        outcome.gate.assessed,
        key=lambda a: (
            _ORDER[a.status],
            -a.finding.severity.rank,
            a.finding.path,
            a.finding.start_line,
            a.finding.check_id,
        ),
    )


def summary_lines(outcome: ScanOutcome) -> list[str]:
    """The verdict and the numbers behind it."""
    gate = outcome.gate
    lines = []
    per = ", ".join(
        f"{s.value} {gate.totals[s]} ({gate.counted[s]} counted)"
        for s in sorted(Severity, key=lambda s: -s.rank)
        if gate.totals[s]
    )
    lines.append(f"findings: {len(gate.assessed)}" + (f" - {per}" if per else ""))
    by_status = {s: sum(1 for a in gate.assessed if a.status is s) for s in Status}
    lines.append(
        "status: " + ", ".join(f"{s.value} {n}" for s, n in by_status.items() if n)
        if any(by_status.values())
        else "status: nothing to report"
    )
    for waiver in gate.expired_waivers:
        lines.append(
            f"expired waiver (no longer hides findings): {waiver.describe()} [{waiver.source}]"
        )
    for waiver in gate.unused_waivers:
        lines.append(f"unused waiver (matched nothing): {waiver.describe()} [{waiver.source}]")
    lines.extend(f"not evaluated: {item}" for item in outcome.unevaluated)
    lines.extend(f"note: {note}" for note in outcome.notes)
    if outcome.custom_checks:
        lines.append(
            f"zwobs pack: {outcome.custom_checks} checks, {outcome.evaluations_proven} "
            f"evaluations verified ({outcome.pack_source})"
        )
    threshold = f"fail on {gate.policy.fail_on.value} and above"
    if gate.policy.max_counts:
        allowances = ", ".join(f"{s.value}<={n}" for s, n in gate.policy.max_counts.items())
        threshold += f", allow {allowances}"
    verdict = "PASSED" if outcome.passed else "FAILED: " + "; ".join(outcome.reasons())
    lines.append(f"gate ({threshold}): {verdict}")
    return lines


def render_table(outcome: ScanOutcome) -> str:
    """Plain text, one finding per row (no colour: it goes to logs as often as to terminals)."""
    rows = [("SEVERITY", "STATUS", "ID", "LOCATION", "RESOURCE", "MESSAGE")]
    for item in _sorted(outcome):
        f = item.finding
        rows.append(
            (
                f.severity.value,
                item.status.value.upper(),
                f.check_id,
                f.location,
                str(f.resource) if f.resource else "-",
                f.message.replace("\n", " "),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    if len(rows) > 1:
        for row in rows:
            cells = [row[i].ljust(widths[i]) for i in range(5)]
            lines.append("  ".join([*cells, row[5]]).rstrip())
        lines.append("")
    lines.extend(summary_lines(outcome))
    return "\n".join(lines) + "\n"


def _assessed_json(item: Assessed) -> dict[str, Any]:
    f = item.finding
    data: dict[str, Any] = {
        "id": f.check_id,
        "category": f.category.value,
        "severity": f.severity.value,
        "status": item.status.value,
        "title": f.title,
        "message": f.message,
        "path": f.path,
        "start_line": f.start_line or None,
        "end_line": f.end_line or None,
        "resource": None,
        "resolution": f.resolution,
        "url": f.url or None,
        "fingerprint": f.fingerprint,
        "custom": f.custom,
    }
    if f.resource is not None:
        data["resource"] = {
            "kind": f.resource.kind,
            "namespace": f.resource.namespace or None,
            "name": f.resource.name,
            "container": f.resource.container or None,
            "document": f.resource.document or None,
        }
    if f.package:
        data["package"] = {
            "name": f.package,
            "installed": f.installed_version,
            "fixed": f.fixed_version or None,
        }
    if item.waiver is not None:
        data["waiver"] = {
            "reason": item.waiver.reason,
            "owner": item.waiver.owner,
            "expires": item.waiver.expires.isoformat(),
        }
    if item.expired_waiver is not None:
        data["expired_waiver"] = {
            "owner": item.expired_waiver.owner,
            "expired": item.expired_waiver.expires.isoformat(),
            "source": item.expired_waiver.source,
        }
    return data


def render_json(outcome: ScanOutcome) -> str:
    gate = outcome.gate
    document = {
        "version": 1,
        "tool": {"name": "zwobs", "trivy": outcome.trivy_version or None},
        "targets": list(outcome.targets),
        "scanners": list(outcome.scanners),
        "gate": {
            "passed": outcome.passed,
            "findings_passed": gate.passed,
            "fail_on": gate.policy.fail_on.value,
            "max_counts": {s.value: n for s, n in gate.policy.max_counts.items()},
            "ignore_unfixed": gate.policy.ignore_unfixed,
            "failing_severities": [s.value for s in gate.failing],
            "reasons": outcome.reasons(),
        },
        "not_evaluated": [
            {"path": u.path, "line": u.line or None, "reason": u.reason}
            for u in outcome.unevaluated
        ],
        "counts": {
            s.value: {"total": gate.totals[s], "counted": gate.counted[s]}
            for s in sorted(Severity, key=lambda s: -s.rank)
        },
        "findings": [_assessed_json(a) for a in _sorted(outcome)],
        "waivers": {
            "expired": [w.describe() for w in gate.expired_waivers],
            "unused": [w.describe() for w in gate.unused_waivers],
        },
        "custom_checks": {
            "count": outcome.custom_checks,
            "source": outcome.pack_source or None,
            "evaluations_verified": outcome.evaluations_proven,
        },
        "notes": list(outcome.notes),
    }
    return json.dumps(document, indent=2) + "\n"
