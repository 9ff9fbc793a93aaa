"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure DevOps).

One test suite per scanned file, one test case per finding: a ``failure`` when it fails
the gate, ``skipped`` when waived, baselined or unfixed, a passing case (details in
``system-out``) when the gate allows it. A final ``zwobs gate`` case carries the verdict.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from .formats import summary_lines
from .gate import Assessed, Status
from .outcome import ScanOutcome

__all__ = ["render_junit"]


def _details(item: Assessed) -> str:
    f = item.finding
    lines = [
        f"{f.severity.value} {f.check_id}: {f.title}",
        f"location: {f.location}",
    ]
    if f.resource is not None:
        lines.append(f"resource: {f.resource}")
    lines.append(f"message: {f.message}")
    if f.resolution:
        lines.append(f"resolution: {f.resolution}")
    if f.url:
        lines.append(f"see: {f.url}")
    return "\n".join(lines)


def _case(suite: ET.Element, item: Assessed) -> None:
    f = item.finding
    name = f"{f.check_id} {f.resource or f.location}"
    case = ET.SubElement(suite, "testcase", name=name, classname=f.path)
    if item.status is Status.FAIL:
        failure = ET.SubElement(case, "failure", message=f.message, type=f.severity.value)
        failure.text = _details(item)
    elif item.status.suppressed:
        reason = item.status.value
        if item.waiver is not None:
            reason += f" by {item.waiver.owner} until {item.waiver.expires.isoformat()}"
        ET.SubElement(case, "skipped", message=reason)
    else:
        out = ET.SubElement(case, "system-out")
        out.text = _details(item)


def render_junit(outcome: ScanOutcome) -> str:
    by_file: dict[str, list[Assessed]] = defaultdict(list)
    for item in outcome.gate.assessed:
        by_file[item.finding.path].append(item)
    root = ET.Element("testsuites", name="zwobs scan")
    total = failures = skipped = 0
    for path in sorted(by_file):
        items = sorted(by_file[path], key=lambda a: (a.finding.start_line, a.finding.check_id))
        n_fail = sum(1 for a in items if a.status is Status.FAIL)
        n_skip = sum(1 for a in items if a.status.suppressed)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=path,
            tests=str(len(items)),
            failures=str(n_fail),
            errors="0",
            skipped=str(n_skip),
        )
        for item in items:
            _case(suite, item)
        total += len(items)
        failures += n_fail
        skipped += n_skip
    if outcome.unevaluated:
        inputs = ET.SubElement(
            root,
            "testsuite",
            name="zwobs inputs not evaluated",
            tests=str(len(outcome.unevaluated)),
            failures="0",
            errors=str(len(outcome.unevaluated)),
            skipped="0",
        )
        for missed in outcome.unevaluated:
            case = ET.SubElement(inputs, "testcase", name=missed.location, classname=missed.path)
            error = ET.SubElement(case, "error", message=missed.reason, type="not-evaluated")
            error.text = str(missed)
    gate_suite = ET.SubElement(
        root,
        "testsuite",
        name="zwobs gate",
        tests="1",
        failures="0" if outcome.passed else "1",
        errors="0",
        skipped="0",
    )
    gate_case = ET.SubElement(gate_suite, "testcase", name="gate", classname="zwobs")
    summary = "\n".join(summary_lines(outcome))
    if not outcome.passed:
        failure = ET.SubElement(
            gate_case, "failure", message="; ".join(outcome.reasons()), type="gate"
        )
        failure.text = summary
    else:
        ET.SubElement(gate_case, "system-out").text = summary
    root.set("tests", str(total + 1))
    root.set("failures", str(failures + (0 if outcome.passed else 1)))
    root.set("errors", str(len(outcome.unevaluated)))
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
