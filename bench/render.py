"""Render time and peak memory of `zwobs render`: synthetic catalogs of 1,000 and 10,000 services.

Each size runs in a fresh process (clean peak RSS): write a catalog YAML, then time
load+validate, render (all generators, or ``--only``), the atomic write into a temp
directory, and a second write of the same files (the re-render that changes nothing).
Prints a table, the time ratio 10k/1k (linear growth is ~10x) and the rule counts against
Sloth's 17 rules per SLO for the same SLOs.

    .venv/bin/python -m bench.render [--sizes 1000,10000] [--only alerts] [--topology]

``--topology`` gives the catalog ``topology: {location_labels: [region]}`` (per-location
alerts, one templated service dashboard instead of one per service).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SLOTH_RULES_PER_SLO = 17


def synthetic_catalog(n: int, topology: bool = False) -> str:
    lines = [
        *(["topology: {location_labels: [region]}"] if topology else []),
        "defaults:",
        "  slo_period: 30d",
        "  alerts: {error_rate: 0.05, latency_p95_seconds: 0.5, min_rps: 1}",
        "  runbook_base: https://runbooks.example.com/services",
        "teams:",
        *(f"  team-{t}: {{labels: {{slack_channel: team-{t}-alerts}}}}" for t in range(50)),
        "services:",
    ]
    for i in range(n):
        lines += [
            f"  - name: svc-{i:05d}",
            f"    team: team-{i % 50}",
            f"    tier: {i % 4}",
            *(["    alerts: {min_rps: 5}"] if i % 10 == 0 else []),
            "    slos:",
            "      - {name: availability, objective: 99.9}",
            "      - {name: latency, objective: 99, latency_threshold_seconds: 0.5}",
        ]
    return "\n".join(lines) + "\n"


def _one(n: int, only: list[str] | None, topology: bool) -> dict[str, float]:
    from zwobs.catalog import load_catalog
    from zwobs.render import render_all
    from zwobs.render.files import write_tree

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.yaml"
        path.write_text(synthetic_catalog(n, topology))
        start = time.perf_counter()
        catalog = load_catalog([path])
        loaded = time.perf_counter()
        rendered = render_all(catalog, only=only)
        done = time.perf_counter()
        write_tree(Path(tmp) / "out", rendered.files, rendered.directories)
        written = time.perf_counter()
        # The everyday re-render: nothing changed, every file is compared and left alone.
        write_tree(Path(tmp) / "out", rendered.files, rendered.directories)
        rewritten = time.perf_counter()
        rules = sum(
            content.count(b"\n  - record: ") + content.count(b"\n  - alert: ")
            for name, content in rendered.files.items()
            if name.endswith(".rules.yaml")
        )
        constant = sum(
            content.count(b"expr: vector(") + content.count(b'expr: "vector(')
            for name, content in rendered.files.items()
            if name.endswith(".rules.yaml")
        )
    return {
        "services": n,
        "load_s": loaded - start,
        "render_s": done - loaded,
        "write_s": written - done,
        "rewrite_s": rewritten - written,
        "total_s": written - start,
        "files": len(rendered.files),
        "rules": rules,
        "non_constant_rules": rules - constant,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--only", default=None, help="comma-separated outputs (default: all)")
    parser.add_argument("--topology", action="store_true", help="location labels [region]")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    if args.one:
        print(json.dumps(_one(args.one, only, args.topology)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, "-m", "bench.render", "--one", str(size)]
        if args.only:
            command += ["--only", args.only]
        if args.topology:
            command.append("--topology")
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out))
    topology = ", topology [region]" if args.topology else ""
    print(f"outputs: {args.only or 'all registered generators'}{topology}")
    header = (
        "services  load+validate  render   write   total   files   rules  non-const  peak RSS"
        "  re-render unchanged (write)"
    )
    print(header)
    for r in results:
        print(
            f"{r['services']:>8}  {r['load_s']:>12.2f}s {r['render_s']:>7.2f}s"
            f" {r['write_s']:>6.2f}s"
            f" {r['total_s']:>6.2f}s {r['files']:>7} {r['rules']:>7} {r['non_constant_rules']:>9}"
            f" {r['peak_rss_mb']:>7.0f} MB  {r['rewrite_s']:>10.2f}s"
        )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        size_ratio = large["services"] / small["services"]
        time_ratio = large["total_s"] / small["total_s"]
        print(
            f"time ratio {large['services']}/{small['services']} services: {time_ratio:.1f}x"
            f" for {size_ratio:.0f}x the services (linear = {size_ratio:.0f}x)"
        )
    for r in results:
        sloth = SLOTH_RULES_PER_SLO * 2 * r["services"]
        print(
            f"{r['services']} services, {2 * r['services']} SLOs: zwobs {r['non_constant_rules']}"
            f" non-constant rules ({r['rules']} in all) vs Sloth {sloth}"
            f" -> {r['non_constant_rules'] / sloth:.4f}x"
        )


if __name__ == "__main__":
    main()
