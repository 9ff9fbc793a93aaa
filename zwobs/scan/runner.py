"""One scan: Trivy over paths and images, the pack verified, findings located and gated."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from zwobs.policies import CHECK_NAMESPACE, PolicyParams

from .baseline import load_baseline
from .checks import CustomCheck, load_checks, verify_evaluated
from .gate import GatePolicy, evaluate
from .inventory import Inventory, UnitKind, take_inventory
from .model import Finding, Unevaluated
from .outcome import ScanOutcome
from .report import parse_report
from .resources import ResourceIndex
from .shards import ScanFunction, default_jobs, scan_shards
from .trivy import ScanError, Trivy, has_vuln_db
from .waivers import load_waivers

__all__ = ["ScanOptions", "run_scan"]


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Everything `zwobs scan` varies; the defaults gate on HIGH and above."""

    paths: tuple[Path, ...] = ()
    images: tuple[str, ...] = ()
    reports: tuple[Path, ...] = ()
    """Recorded Trivy JSON reports to gate instead of (or besides) running Trivy."""
    policies: Path | None = None
    """A rendered ``policies/`` directory (``trivy/checks`` and ``trivy/data`` inside)."""
    params: PolicyParams | None = None
    """Parameters to render the pack with when ``policies`` is not given."""
    trivy: str | None = None
    timeout: float = 300.0
    """Per Trivy run (each shard has its own)."""
    jobs: int = 0
    """Trivy runs in parallel (0: one per CPU)."""
    vulnerabilities: bool | None = None
    """True: require the vulnerability scanner; False: skip it; None: when a database exists."""
    gate: GatePolicy = field(default_factory=GatePolicy)
    waivers: Path | None = None
    baseline: Path | None = None
    today: dt.date | None = None


@contextmanager
def _pack(options: ScanOptions) -> Iterator[tuple[Path, Path | None]]:
    if options.policies is not None:
        root = options.policies
        checks = root / "trivy" / "checks"
        data = root / "trivy" / "data"
        if not checks.is_dir() and any(root.glob("*.rego")):
            checks = root
        yield checks, (data if data.is_dir() else None)
        return
    from zwobs.render.policies import CHECKS_DIR, DATA_DIR, render_pack

    with tempfile.TemporaryDirectory(prefix="zwobs-pack-") as tmp:
        for rel, content in render_pack(options.params or PolicyParams()).items():
            file = Path(tmp) / rel
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(content)
        yield Path(tmp) / CHECKS_DIR, Path(tmp) / DATA_DIR


def _display(base: Path, target: str) -> str:
    return (base / target).as_posix() if target else base.as_posix()


def _image_target(image: str, target: str) -> str:
    return target or image


def _with_occurrences(findings: Sequence[Finding]) -> list[Finding]:
    """Number findings that share an identity, in file order, so fingerprints stay unique."""
    ordered = sorted(findings, key=lambda f: (f.path, f.start_line, f.check_id, f.message))
    seen: Counter[str] = Counter()
    numbered = []
    for finding in ordered:
        identity = finding.identity()
        numbered.append(finding.with_occurrence(seen[identity]))
        seen[identity] += 1
    return numbered


def _misconfig_scan(checks_dir: Path, data_dir: Path | None) -> ScanFunction:
    def scan(
        trivy: Trivy, root: Path, kinds: frozenset[UnitKind]
    ) -> tuple[dict[str, Any], list[str]]:
        # Trivy tries every IaC parser on every file unless told which apply: naming them
        # saves about an eighth of its time (bench/scan.py); other configuration gets all.
        extra: tuple[str, ...] = ()
        if UnitKind.OTHER not in kinds:
            extra = ("--misconfig-scanners", ",".join(sorted(k.value for k in kinds)))
        return trivy.scan_logged(
            "fs",
            str(root),
            scanners=("misconfig",),
            checks_dir=checks_dir,
            data_dir=data_dir,
            namespace=CHECK_NAMESPACE,
            extra=extra,
        )

    return scan


def _account(
    inventory: Inventory, evaluated: Mapping[tuple[str, str], set[str]], log: list[str]
) -> list[Unevaluated]:
    """Every unit Trivy had to evaluate and did not, with Trivy's own word when it said one."""
    seen = {(path, kind) for path, kind in evaluated}
    missing = []
    for unit in inventory.units:
        if unit.kind is UnitKind.OTHER:
            continue
        if unit.kind is UnitKind.HELM:
            # A chart directory's targets sit under it; an archive's are `chart.tgz:path`.
            inside = (unit.display + "/", unit.display + ":")
            done = any(k == "helm" and p.startswith(inside) for p, k in seen)
        else:
            done = (unit.display, unit.kind.value) in seen
        if done:
            continue
        said = [line for line in log if f'file_path="{unit.display}' in line]
        reason = "Trivy did not evaluate it" + (f" ({said[0]})" if said else "")
        missing.append(Unevaluated(unit.display, 0, reason))
    return missing


def _scan_paths(  # noqa: PLR0917 - internal helper, called once
    trivy: Trivy,
    options: ScanOptions,
    checks: list[CustomCheck],
    checks_dir: Path,
    data_dir: Path | None,
    scanners: tuple[str, ...],
) -> tuple[list[Finding], int, list[Unevaluated], list[str]]:
    """Misconfigurations over the inventory (sharded), secrets and vulnerabilities over the
    paths as given; returns findings, proven evaluations, unevaluated inputs and notes."""
    for path in options.paths:
        if not path.exists() and not path.is_symlink():
            raise ScanError(f"{path}: no such file or directory")
    inventory = take_inventory(options.paths)
    custom_ids = {c.id for c in checks}
    results = scan_shards(
        trivy,
        inventory,
        jobs=options.jobs or default_jobs(),
        scan=_misconfig_scan(checks_dir, data_dir),
        custom_ids=custom_ids,
    )
    findings = [f for r in results for f in r.parsed.findings]
    evaluated: dict[tuple[str, str], set[str]] = {}
    for result in results:
        for key, ids in result.parsed.evaluated.items():
            evaluated.setdefault(key, set()).update(ids)
    log = [line for r in results for line in r.log]
    proven = verify_evaluated(checks, evaluated)
    unevaluated = inventory.unevaluated + _account(inventory, evaluated, log)
    other = [s for s in scanners if s != "misconfig"]
    for path in options.paths:
        if not other or not path.exists():
            continue
        base = path if path.is_dir() else path.parent
        report = trivy.scan("fs", str(path), scanners=other)
        parsed = parse_report(
            report,
            display_path=partial(_display, base),
            index=ResourceIndex(base),
            custom_ids=set(),
        )
        findings.extend(parsed.findings)
    notes = []
    if inventory.not_kubernetes:
        shown = ", ".join(inventory.not_kubernetes[:5])
        more = len(inventory.not_kubernetes) - 5
        notes.append(
            f"{len(inventory.not_kubernetes)} YAML/JSON file(s) hold no Kubernetes object, "
            f"the pack does not apply: {shown}" + (f" and {more} more" if more > 0 else "")
        )
    notes.extend(f"Trivy: {line}" for line in log[:20])
    return findings, proven, unevaluated, notes


def run_scan(options: ScanOptions) -> ScanOutcome:
    """Run the scan ``options`` describe; :class:`ScanError` when it cannot be trusted."""
    if not (options.paths or options.images or options.reports):
        raise ScanError("nothing to scan: give a PATH, --image REF or --from-json FILE")
    waivers = load_waivers(options.waivers) if options.waivers else []
    baseline = load_baseline(options.baseline) if options.baseline else set()
    notes: list[str] = []
    findings: list[Finding] = []
    trivy_version = ""
    scanners: tuple[str, ...] = ()
    checks: list[CustomCheck] = []
    proven = 0
    unevaluated: list[Unevaluated] = []
    if options.paths or options.images:
        trivy = Trivy.locate(options.trivy, timeout=options.timeout)
        trivy_version = trivy.version_text
        vuln = options.vulnerabilities
        if vuln is None:
            vuln = has_vuln_db()
            if not vuln:
                notes.append(
                    "vulnerabilities not scanned: no Trivy database in the cache "
                    "(run `trivy --download-db-only` where the network allows)"
                )
        scanners = ("misconfig", "secret", *(("vuln",) if vuln else ()))
        if options.paths:
            with _pack(options) as (checks_dir, data_dir):
                checks = load_checks(checks_dir, CHECK_NAMESPACE)
                found, proven, unevaluated, path_notes = _scan_paths(
                    trivy, options, checks, checks_dir, data_dir, scanners
                )
                findings.extend(found)
                notes.extend(path_notes)
        for image in options.images:
            if not has_vuln_db() and options.vulnerabilities is not False:
                raise ScanError(
                    f"--image {image}: no Trivy vulnerability database in the cache; "
                    "download it first (`trivy --download-db-only`)"
                )
            report = trivy.scan("image", image, scanners=(*(("vuln",) if vuln else ()), "secret"))
            parsed = parse_report(
                report,
                display_path=partial(_image_target, image),
                index=ResourceIndex(Path.cwd()),
                custom_ids=set(),
            )
            findings.extend(parsed.findings)
    for file in options.reports:
        try:
            report = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScanError(f"{file}: not a readable Trivy JSON report: {exc}") from None
        if not isinstance(report, dict) or (
            "Results" not in report and "SchemaVersion" not in report
        ):
            raise ScanError(f"{file}: not a Trivy JSON report (no SchemaVersion/Results)")
        try:
            parsed = parse_report(
                report, display_path=lambda t: t, index=ResourceIndex(Path.cwd()), custom_ids=set()
            )
        except ScanError as exc:
            raise ScanError(f"{file}: {exc}") from None
        findings.extend(parsed.findings)
        notes.append(f"{file}: recorded Trivy report, custom checks not verified")
    result = evaluate(
        _with_occurrences(findings),
        options.gate,
        waivers=waivers,
        baseline=baseline,
        today=options.today,
    )
    if options.policies is not None:
        source = options.policies.as_posix()
    elif options.params is not None:
        source = "rendered from the catalog"
    else:
        source = "built-in defaults (no catalog: any registry, label team)"
    return ScanOutcome(
        gate=result,
        pack_source=source if checks else "",
        trivy_version=trivy_version,
        targets=tuple(p.as_posix() for p in options.paths)
        + options.images
        + tuple(p.as_posix() for p in options.reports),
        scanners=scanners,
        custom_checks=len(checks),
        evaluations_proven=proven,
        notes=tuple(notes),
        unevaluated=tuple(unevaluated),
    )
