"""Small constructors for findings in unit tests of the gate, waivers and formats."""

from __future__ import annotations

from zwobs.scan import Category, Finding, Resource, Severity


def misconfig(
    check_id: str = "ZW-K8S-001",
    severity: Severity = Severity.HIGH,
    *,
    path: str = "deploy/app.yaml",
    line: int = 10,
    name: str = "web",
    container: str = "app",
    message: str = "must run as non-root",
) -> Finding:
    return Finding(
        check_id=check_id,
        category=Category.MISCONFIG,
        severity=severity,
        title="title of " + check_id,
        message=message,
        path=path,
        start_line=line,
        end_line=line + 2,
        resource=Resource(
            kind="Deployment", name=name, namespace="prod", container=container, document=1
        ),
        resolution="fix it",
    )


def vulnerability(cve: str, severity: Severity, fixed: str = "") -> Finding:
    return Finding(
        check_id=cve,
        category=Category.VULNERABILITY,
        severity=severity,
        title=cve,
        message=f"pkg 1.0: {cve}",
        path="image",
        package="pkg",
        installed_version="1.0",
        fixed_version=fixed,
    )
