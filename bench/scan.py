"""`zwobs scan` of a large manifest tree, against plain `trivy config` on the same tree.

Writes N manifests (default 2,000: Deployments, StatefulSets and CronJobs, one in seven
privileged) into a temporary tree, then in one run measures, each in a fresh process:

* plain ``trivy config`` (built-in checks only, one process: the peer);
* ``zwobs scan --jobs 1`` (one Trivy over the whole tree, as before sharding);
* ``zwobs scan`` (shards in parallel, one per CPU);

and, to show where the time goes, the phases of one unsharded scan: the inventory
(walk, read, parse every document), one Trivy run with zwobs' flags (the pack, passed
checks included), and reading its JSON report into findings.

Wall time and CPU time (user+system of the process and its children) are printed for
each, with the load average before and after: on a shared machine wall time is only
comparable between rows measured at the same load.

    .venv/bin/python -m bench.scan [--manifests 2000] [--trivy PATH] [--skip-phases]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_KINDS = ("Deployment", "StatefulSet", "CronJob")


def _pod_spec(i: int, indent: str) -> str:
    privileged = "true" if i % 7 == 0 else "false"
    lines = [
        "securityContext:",
        "  runAsNonRoot: true",
        "  runAsUser: 10001",
        "  seccompProfile: {type: RuntimeDefault}",
        "containers:",
        "  - name: app",
        f"    image: registry.example.com/team-{i % 20}/svc-{i}:1.{i}.0",
        "    securityContext:",
        f"      privileged: {privileged}",
        "      allowPrivilegeEscalation: false",
        "      readOnlyRootFilesystem: true",
        "      capabilities: {drop: [ALL]}",
        "    resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}",
        "    livenessProbe: {httpGet: {path: /healthz, port: 8080}}",
        "    readinessProbe: {httpGet: {path: /ready, port: 8080}}",
    ]
    return "\n".join(indent + line for line in lines)


def manifest(i: int) -> str:
    """One workload manifest; the kind rotates so every pod-spec path is exercised."""
    kind = _KINDS[i % len(_KINDS)]
    head = (
        f"apiVersion: {'batch/v1' if kind == 'CronJob' else 'apps/v1'}\nkind: {kind}\n"
        f"metadata:\n  name: svc-{i}\n  namespace: ns-{i % 10}\n  labels: {{team: team-{i % 20}}}\n"
    )
    template = f"    metadata: {{labels: {{team: team-{i % 20}}}}}\n    spec:\n"
    if kind == "CronJob":
        return (
            head + 'spec:\n  schedule: "0 * * * *"\n  jobTemplate:\n    spec:\n      template:\n'
            f"        metadata: {{labels: {{team: team-{i % 20}}}}}\n        spec:\n"
            "          restartPolicy: OnFailure\n" + _pod_spec(i, " " * 10) + "\n"
        )
    return (
        head
        + f"spec:\n  selector: {{matchLabels: {{app: svc-{i}}}}}\n  template:\n"
        + template
        + _pod_spec(i, " " * 6)
        + "\n"
    )


def write_tree(root: Path, count: int) -> None:
    for i in range(count):
        folder = root / f"team-{i % 20:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"svc-{i:05d}.yaml").write_text(manifest(i))


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(argv: list[str]) -> tuple[float, float, int]:
    """(wall s, CPU s, exit code) of a subprocess."""
    cpu, wall = _cpu(), time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    return time.perf_counter() - wall, _cpu() - cpu, done.returncode


def _phases(tree: Path, trivy: str, policies: Path) -> list[tuple[str, float, float]]:
    """Where an unsharded scan spends its time, phase by phase (in this process)."""
    from zwobs.policies import CHECK_NAMESPACE, PACK
    from zwobs.scan.inventory import take_inventory
    from zwobs.scan.report import parse_report
    from zwobs.scan.resources import ResourceIndex
    from zwobs.scan.trivy import Trivy

    rows = []
    cpu, wall = _cpu(), time.perf_counter()
    inventory = take_inventory((tree,))
    rows.append(("inventory (walk, read, parse)", time.perf_counter() - wall, _cpu() - cpu))
    runner = Trivy.locate(trivy, timeout=1200)
    cpu, wall = _cpu(), time.perf_counter()
    report = runner.scan(
        "fs",
        str(tree),
        scanners=("misconfig",),
        checks_dir=policies / "trivy" / "checks",
        data_dir=policies / "trivy" / "data",
        namespace=CHECK_NAMESPACE,
    )
    size = len(json.dumps(report)) / 1e6
    name = f"Trivy, one process (report {size:.0f} MB)"
    rows.append((name, time.perf_counter() - wall, _cpu() - cpu))
    cpu, wall = _cpu(), time.perf_counter()
    parsed = parse_report(
        report,
        display_path=lambda t: t,
        index=ResourceIndex(tree),
        custom_ids={p.id for p in PACK},
    )
    rows.append(
        (f"report -> {len(parsed.findings)} findings", time.perf_counter() - wall, _cpu() - cpu)
    )
    del inventory
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifests", type=int, default=2000)
    parser.add_argument("--trivy", default=os.environ.get("ZWOBS_TRIVY", ".cache/bin/trivy"))
    parser.add_argument("--skip-phases", action="store_true")
    args = parser.parse_args(argv)
    repo = Path(__file__).resolve().parents[1]
    policies = repo / "policies"
    zwobs = [str(Path(sys.executable).with_name("zwobs"))]
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="zwobs-bench-scan-") as tmp:
        tree = Path(tmp) / "manifests"
        tree.mkdir()
        write_tree(tree, args.manifests)
        # Timeouts far above any run: on a loaded machine Trivy's default 5 minutes is
        # reached, and a timed-out run would be timed as if it had finished.
        common = ["--trivy", args.trivy, "--no-vulns", "--policies", str(policies)]
        common += ["--format", "json", "--timeout", "3600"]
        runs = {
            "trivy config (peer, built-in checks)": [
                args.trivy,
                "config",
                "--quiet",
                "--skip-check-update",
                "--timeout",
                "3600s",
                "--format",
                "json",
                "--output",
                os.devnull,
                str(tree),
            ],
            "zwobs scan --jobs 1": [*zwobs, "scan", str(tree), *common, "--jobs", "1"],
            "zwobs scan (shards in parallel)": [*zwobs, "scan", str(tree), *common],
        }
        for name, command in runs.items():
            wall, cpu, code = _timed(command)
            if code not in ((0,) if command[0] == args.trivy else (0, 1)):
                print(f"{name}: exit code {code}", file=sys.stderr)
                return 2
            rows.append((name, wall, cpu))
        if not args.skip_phases:
            rows += [(f"  phase: {n}", w, c) for n, w, c in _phases(tree, args.trivy, policies)]
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"\n{args.manifests} manifests")
    print(f"{'run':<58} {'wall s':>8} {'CPU s':>8}")
    for name, wall, cpu in rows:
        print(f"{name:<58} {wall:>8.1f} {cpu:>8.1f}")
    peer = rows[0][1]
    for name, wall, _ in rows[1:3]:
        print(f"{name}: {wall / peer:.2f}x the wall time of plain trivy config")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
