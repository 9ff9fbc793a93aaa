"""Large trees in parallel: the inventory's units split into shards, one Trivy per shard.

Trivy evaluates misconfiguration checks on one core (2,000 manifests: about 90 s of CPU
in one thread, measured with ``bench/scan.py``), so a tree is cut into shards of whole
units (a Helm chart stays together), balanced by Kubernetes object count, and up to
``jobs`` Trivy processes run at once, each with its own timeout. Each shard scans a
staging copy of exactly the bytes the inventory read (documents that do not parse
blanked out), so what Trivy evaluated is what zwobs accounted for.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .inventory import Inventory, StagedFile, Unit, UnitKind
from .model import Finding
from .report import ParsedReport, parse_report
from .resources import ResourceIndex
from .trivy import ScanError, Trivy

__all__ = [
    "MAX_SHARD_WEIGHT",
    "ScanFunction",
    "ShardResult",
    "default_jobs",
    "plan_shards",
    "scan_shards",
]

MAX_SHARD_WEIGHT = 1_000
"""Kubernetes objects per shard at most: about 45 s of Trivy CPU, well inside a timeout."""
_MIN_SPLIT_WEIGHT = 50
"""Below this a single Trivy run is faster than several (each loads every check)."""
_LOG_FILE = re.compile(r'file_path="([^"]+)"')

ScanFunction = Callable[[Trivy, Path, frozenset[UnitKind]], tuple[dict[str, Any], list[str]]]
"""Runs Trivy on a staging root holding units of the given kinds: (report, log lines)."""


def default_jobs() -> int:
    """Parallel Trivy runs: the CPUs this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not on Linux
        return max(os.cpu_count() or 1, 1)


def plan_shards(units: Sequence[Unit], jobs: int) -> list[list[Unit]]:
    """Units in shards: at least ``jobs`` when there is enough work, none heavier than
    :data:`MAX_SHARD_WEIGHT` unless one unit is; other configuration (Terraform modules
    refer to each other) stays in the first shard."""
    total = sum(u.weight for u in units)
    if not units:
        return []
    count = 1
    if total >= _MIN_SPLIT_WEIGHT:
        count = max(jobs, -(-total // MAX_SHARD_WEIGHT))
    count = min(count, len(units))
    shards: list[list[Unit]] = [[] for _ in range(count)]
    weights = [0] * count
    for unit in sorted(units, key=lambda u: -u.weight):
        target = 0 if unit.kind is UnitKind.OTHER else weights.index(min(weights))
        shards[target].append(unit)
        weights[target] += unit.weight
    return [s for s in shards if s]


@dataclass(slots=True)
class ShardResult:
    parsed: ParsedReport
    log: list[str] = field(default_factory=list)
    """Trivy's ERROR/WARN lines, file paths rewritten to what zwobs prints."""


def _stage(root: Path, files: Sequence[StagedFile]) -> None:
    for staged in files:
        target = root / staged.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(staged.content)


def _original_lines(findings: list[Finding], splits: dict[str, StagedFile]) -> list[Finding]:
    mapped = []
    for finding in findings:
        staged = splits.get(finding.path)
        split = staged.split if staged is not None else None
        if split is None or not finding.start_line:
            mapped.append(finding)
            continue
        start = split.original_line(finding.start_line)
        end = split.original_line(finding.end_line or finding.start_line)
        mapped.append(replace(finding, start_line=start, end_line=end))
    return mapped


def _scan_one(
    trivy: Trivy,
    shard: Sequence[Unit],
    inventory: Inventory,
    scan: ScanFunction,
    custom_ids: set[str],
) -> ShardResult:
    with tempfile.TemporaryDirectory(prefix="zwobs-shard-") as tmp:
        root = Path(tmp)
        files = [f for unit in shard for f in unit.files]
        _stage(root, files)
        report, log = scan(trivy, root, frozenset(unit.kind for unit in shard))
        parsed = parse_report(
            report,
            display_path=inventory.display,
            index=ResourceIndex(root),
            custom_ids=custom_ids,
        )
    splits = {inventory.display(f.relative): f for f in files if f.split is not None}
    parsed.findings = _original_lines(parsed.findings, splits)
    shown = [
        _LOG_FILE.sub(lambda m: f'file_path="{inventory.display(m.group(1))}"', line)
        for line in log
    ]
    return ShardResult(parsed, shown)


def scan_shards(
    trivy: Trivy,
    inventory: Inventory,
    *,
    jobs: int,
    scan: ScanFunction,
    custom_ids: set[str],
) -> list[ShardResult]:
    """Every shard scanned (``scan`` runs Trivy on a staging root); the first failure (a
    crash, a timeout) raises :class:`ScanError` naming the shard, and no later shard starts."""
    shards = plan_shards(inventory.units, jobs)
    results: list[ShardResult] = []
    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        futures = [
            pool.submit(_scan_one, trivy, shard, inventory, scan, custom_ids) for shard in shards
        ]
        for number, (future, shard) in enumerate(zip(futures, shards, strict=True), start=1):
            try:
                results.append(future.result())
            except ScanError as exc:
                for pending in futures:
                    pending.cancel()
                names = ", ".join(u.display for u in shard[:3])
                more = f" and {len(shard) - 3} more" if len(shard) > 3 else ""
                raise ScanError(f"shard {number} of {len(shards)} ({names}{more}): {exc}") from None
    return results
