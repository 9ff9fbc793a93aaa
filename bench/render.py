"""Render time and peak memory of `zwobs render`: synthetic catalogs of 1,000 and 10,000 services.

Each size runs in a fresh process (clean peak RSS): write a catalog YAML, then time
load+validate, render (all generators, or ``--only``), the atomic write into a temp
directory, and a second write of the same files (the re-render that changes nothing).
Writing is set beside its floor, the same files created with bare system calls in the
same run, on the disk and on tmpfs: creating tens of thousands of files costs what the
file system charges, which on a shared virtual disk varies tenfold from run to run.
Prints a table, the time ratio 10k/1k (linear growth is ~10x) and the rule counts against
Sloth's 17 rules per SLO for the same SLOs.

    .venv/bin/python -m bench.render [--sizes 1000,10000] [--only alerts] [--topology]
        [--rounds 4]

``--topology`` gives the catalog ``topology: {location_labels: [region]}`` (per-location
alerts, one templated service dashboard instead of one per service).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zwobs.render import Rendered
from zwobs.render.files import write_tree

SLOTH_RULES_PER_SLO = 17
_TMPFS = "/dev/shm"


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


def _floor(out: Path, files: dict[str, bytes]) -> float:
    """Seconds to create the same files with bare system calls (no plan, no manifest, no
    atomicity): what the file system costs any tool, zwobs or a shell loop."""
    start = time.perf_counter()
    for parent in sorted({(out / path).parent for path in files}):
        parent.mkdir(parents=True, exist_ok=True)
    for path, content in files.items():
        fd = os.open(out / path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, content)
        finally:
            os.close(fd)
    return time.perf_counter() - start


def _writes(base: Path, rendered: Rendered, rounds: int) -> tuple[float, float, float]:
    """Median seconds of zwobs's write and of the floor, interleaved round by round (which
    goes first alternates) so a noisy disk hits both alike, and of re-rendering onto an
    unchanged tree."""
    ours: list[float] = []
    floor: list[float] = []
    for index in range(rounds):
        if index % 2:
            floor.append(_floor(base / f"floor-{index}", rendered.files))
        start = time.perf_counter()
        write_tree(base / f"out-{index}", rendered.files, rendered.directories)
        ours.append(time.perf_counter() - start)
        if not index % 2:
            floor.append(_floor(base / f"floor-{index}", rendered.files))
    start = time.perf_counter()
    write_tree(base / "out-0", rendered.files, rendered.directories)
    rewrite = time.perf_counter() - start
    return statistics.median(ours), statistics.median(floor), rewrite


def _one(n: int, only: list[str] | None, topology: bool, rounds: int) -> dict[str, float]:
    from zwobs.catalog import load_catalog
    from zwobs.render import render_all

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.yaml"
        path.write_text(synthetic_catalog(n, topology))
        start = time.perf_counter()
        catalog = load_catalog([path])
        loaded = time.perf_counter()
        rendered = render_all(catalog, only=only)
        done = time.perf_counter()
        disk, disk_floor, rewrite = _writes(Path(tmp), rendered, rounds)
    memory = (0.0, 0.0)
    if Path(_TMPFS).is_dir():
        with tempfile.TemporaryDirectory(dir=_TMPFS) as tmp:
            memory = _writes(Path(tmp), rendered, rounds)[:2]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
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
        "write_s": disk,
        "floor_s": disk_floor,
        "tmpfs_write_s": memory[0],
        "tmpfs_floor_s": memory[1],
        "rewrite_s": rewrite,
        "total_s": done - start + disk,
        "tmpfs_total_s": done - start + memory[0],
        "files": len(rendered.files),
        "megabytes": sum(len(c) for c in rendered.files.values()) / 1e6,
        "rules": rules,
        "non_constant_rules": rules - constant,
        "peak_rss_mb": peak,
    }


def _rounds(text: str) -> int:
    rounds = int(text) if text.isdigit() else 0
    if rounds < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of rounds >= 1, got {text!r}")
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--only", default=None, help="comma-separated outputs (default: all)")
    parser.add_argument("--topology", action="store_true", help="location labels [region]")
    parser.add_argument("--rounds", type=_rounds, default=4, help="writes per size (median kept)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    if args.one:
        print(json.dumps(_one(args.one, only, args.topology, args.rounds)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, "-m", "bench.render", "--one", str(size)]
        command += ["--rounds", str(args.rounds)]
        if args.only:
            command += ["--only", args.only]
        if args.topology:
            command.append("--topology")
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out))
    topology = ", topology [region]" if args.topology else ""
    print(f"outputs: {args.only or 'all registered generators'}{topology}")
    print(
        "write: zwobs's atomic, owned write vs the floor (the same files made with bare"
        f" open/write/close), median of {args.rounds}; on the disk and on tmpfs ({_TMPFS})"
    )
    print(
        "services  load+validate  render  write disk (floor)  write tmpfs (floor)"
        "  total disk  total tmpfs    files      MB  peak RSS  re-render unchanged"
    )
    for r in results:
        print(
            f"{r['services']:>8}  {r['load_s']:>12.2f}s {r['render_s']:>6.2f}s"
            f" {r['write_s']:>9.2f}s ({r['floor_s']:.2f}s)"
            f" {r['tmpfs_write_s']:>10.2f}s ({r['tmpfs_floor_s']:.2f}s)"
            f" {r['total_s']:>10.2f}s {r['tmpfs_total_s']:>11.2f}s {r['files']:>8}"
            f" {r['megabytes']:>7.1f} {r['peak_rss_mb']:>6.0f} MB {r['rewrite_s']:>10.2f}s"
        )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        size_ratio = large["services"] / small["services"]
        for key, where in (("total_s", "disk"), ("tmpfs_total_s", "tmpfs")):
            print(
                f"time ratio {large['services']}/{small['services']} services ({where}):"
                f" {large[key] / small[key]:.1f}x for {size_ratio:.0f}x the services"
                f" (linear = {size_ratio:.0f}x)"
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
