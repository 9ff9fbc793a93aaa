"""Rule evaluation cost in a real Prometheus: zwobs fleet rules vs Sloth-style per-SLO rules.

One Prometheus scrapes one synthetic target exporting the zwobs metrics of N services
(default 1,000: 6 request counters and 2 histograms per service) and loads BOTH rule sets
for the same SLOs (availability 99.9 and latency 99 at 0.5 s per service):

* zwobs: the rules ``zwobs render`` writes for the catalog (shared fleet groups plus one
  group of constants per service);
* Sloth-style: what Sloth v0.16 generates, 17 rules in 3 groups per SLO (SLI ratios for
  7 windows over the raw series + the 30d average, metadata, page/ticket alerts), plus the
  seed's three RED alerts per service (zwobs renders those too, fleet-wide).

Each set runs in its own Prometheus, one after the other in the same run, against the
same target (a scrape-only phase measures the baseline CPU). After a warm-up the bench
samples ``prometheus_rule_group_last_duration_seconds`` (summed over the set's groups,
median over the samples) and the process CPU, and prints the ratios zwobs / Sloth
(target <= 0.2). With minutes of data the long windows are cheap for both; with days of
data Sloth's raw ``rate(x[3d])`` grows further while zwobs reads 5m-tiled recorded series.

    .venv/bin/python -m bench.rule_eval [--services 1000] [--seconds 30] [--interval 10s]

``--regions 10`` runs the fleet-topology comparison instead: every service served from that
many regions (a ``region`` target label, one route per service), the catalog's
``topology: {location_labels: [region]}``. zwobs runs both layers in one Prometheus
(``--layer all``) and the bench splits the evaluation time into the edge group (reads raw
series, as every regional Prometheus would) and the global groups (read recorded series
only); it counts the series that cross to the global layer (``rules.crossing_series``)
against what Sloth-style per-service rules need there: every raw series, since they read
raw series and cannot be split into layers.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from tests.servers.process import wait_until
from tests.servers.prometheus import start_prometheus
from zwobs import names
from zwobs.catalog.model import AlertThresholds, Catalog, Service, Slo, SloKind, Topology
from zwobs.promql import bucket_label
from zwobs.render import RenderOptions
from zwobs.render.alerts import render_alerts
from zwobs.render.rules import crossing_series

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
PATHS = ("/v1/users/me", "/v1/users/{user_id}")
STATUSES = ("200", "404", "503")


def catalog(n: int, regions: int = 0) -> Catalog:
    slos = (
        Slo("availability", SloKind.AVAILABILITY, 99.9),
        Slo("latency", SloKind.LATENCY, 99.0, latency_threshold_seconds=0.5),
    )
    return Catalog(
        tuple(
            Service(
                f"svc-{i:05d}",
                team=f"team-{i % 20}",
                tier=i % 4,
                alerts=AlertThresholds(),
                slos=slos,
                runbook_url=f"https://runbooks.example.com/svc-{i:05d}",
            )
            for i in range(n)
        ),
        topology=Topology(("region",)) if regions else Topology(),
    )


# --- Sloth-style rules (the shape Sloth v0.16 emits, see ANCHORS "SLO rule generators") --


def _sloth_slo(service: str, slo: Slo) -> list[dict[str, Any]]:
    sid = f"{service}-{slo.name}"
    ids = {"sloth_id": sid, "sloth_service": service, "sloth_slo": slo.name}
    sel = ", ".join(f'{k}="{v}"' for k, v in ids.items())
    if slo.kind is SloKind.AVAILABILITY:
        total = f'{names.REQUESTS_TOTAL}{{service="{service}"}}'
        errors = f'{names.REQUESTS_TOTAL}{{service="{service}",status=~"5.."}}'
        error_expr = "(sum(rate({errors}[{w}])))\n/\n(sum(rate({total}[{w}])))"
    else:
        le = bucket_label(slo.latency_threshold_seconds or 0.5)
        total = f'{names.REQUEST_DURATION}_count{{service="{service}"}}'
        errors = f'{names.REQUEST_DURATION}_bucket{{service="{service}",le="{le}"}}'
        error_expr = (
            "(sum(rate({total}[{w}])) - sum(rate({errors}[{w}])))\n/\n(sum(rate({total}[{w}])))"
        )
    sli = [
        {
            "record": f"slo:sli_error:ratio_rate{w}",
            "expr": error_expr.format(errors=errors, total=total, w=w),
            "labels": {**ids, "sloth_window": w},
        }
        for w in WINDOWS
    ]
    sli.append(
        {
            "record": "slo:sli_error:ratio_rate30d",
            "expr": f"sum_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[30d])\n"
            f"/ ignoring (sloth_window)\n"
            f"count_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[30d])",
            "labels": {**ids, "sloth_window": "30d"},
        }
    )
    objective = slo.objective / 100
    on = "on(sloth_id, sloth_slo, sloth_service) group_left"
    meta = [
        {"record": "slo:objective:ratio", "expr": f"vector({objective!r})", "labels": ids},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{objective!r})", "labels": ids},
        {"record": "slo:time_period:days", "expr": "vector(30)", "labels": ids},
        {
            "record": "slo:current_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate5m{{{sel}}}\n/ {on}\nslo:error_budget:ratio{{{sel}}}",
            "labels": ids,
        },
        {
            "record": "slo:period_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate30d{{{sel}}}\n/ {on}\n"
            f"slo:error_budget:ratio{{{sel}}}",
            "labels": ids,
        },
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{{{sel}}}",
            "labels": ids,
        },
        {
            "record": "sloth_slo_info",
            "expr": "vector(1)",
            "labels": {**ids, "sloth_mode": "cli-gen-prom", "sloth_version": "v0.16.0"},
        },
    ]
    budget = 1 - objective

    def pair(short: str, long: str, factor: float) -> str:
        return (
            f"(max(slo:sli_error:ratio_rate{short}{{{sel}}} > ({factor} * {budget!r}))"
            f" without (sloth_window)\nand\n"
            f"max(slo:sli_error:ratio_rate{long}{{{sel}}} > ({factor} * {budget!r}))"
            " without (sloth_window))"
        )

    alerts = [
        {
            "alert": f"{service}-{slo.name}-page",
            "expr": f"{pair('5m', '1h', 14.4)}\nor\n{pair('30m', '6h', 6)}",
            "labels": {"sloth_severity": "page"},
        },
        {
            "alert": f"{service}-{slo.name}-ticket",
            "expr": f"{pair('2h', '1d', 3)}\nor\n{pair('6h', '3d', 1)}",
            "labels": {"sloth_severity": "ticket"},
        },
    ]
    return [
        {"name": f"sloth-slo-sli-recordings-{sid}", "rules": sli},
        {"name": f"sloth-slo-meta-recordings-{sid}", "rules": meta},
        {"name": f"sloth-slo-alerts-{sid}", "rules": alerts},
    ]


def _seed_alerts(service: Service) -> dict[str, Any]:
    """The seed pipeline's RED alerts for one service (Sloth has none; zwobs renders them
    too, so both sides evaluate the same alerts)."""
    sel = f'service="{service.name}"'
    a = service.alerts
    total = f"sum(rate({names.REQUESTS_TOTAL}{{{sel}}}[5m]))"
    errors = f'sum(rate({names.REQUESTS_TOTAL}{{{sel},status=~"5.."}}[5m]))'
    buckets = f"{names.REQUEST_DURATION}_bucket{{{sel}}}"
    p95 = f"histogram_quantile(0.95, sum by (le) (rate({buckets}[5m])))"
    return {
        "name": f"seed-alerts-{service.name}",
        "rules": [
            {"alert": "HighErrorRate", "expr": f"{errors} / {total} > {a.error_rate}", "for": "5m"},
            {"alert": "HighLatency", "expr": f"{p95} > {a.latency_p95_seconds}", "for": "10m"},
            {"alert": "LowThroughput", "expr": f"{total} < {a.min_rps}", "for": "10m"},
        ],
    }


def sloth_groups(fleet: Catalog) -> list[dict[str, Any]]:
    groups = [g for s in fleet.services for slo in s.slos for g in _sloth_slo(s.name, slo)]
    return groups + [_seed_alerts(s) for s in fleet.services]


# --- synthetic target -------------------------------------------------------------------


class _Target:
    """Exports the zwobs metrics of ``n`` services; counters grow at fixed per-series rates.
    With ``regions``, each service is served from that many regions (one route each)."""

    def __init__(self, n: int, regions: int = 0) -> None:
        self.start = time.monotonic()
        buckets = [*(bucket_label(b) for b in names.DEFAULT_LATENCY_BUCKETS), "+Inf"]
        self.series: list[tuple[str, float]] = []
        places = [f',region="region-{r:02d}"' for r in range(regions)] or [""]
        paths = PATHS[:1] if regions else PATHS
        for i, place, path in ((i, p, q) for i in range(n) for p in places for q in paths):
            svc = f"svc-{i:05d}"
            base = 1.0 + (i % 7)
            # healthy: 0.01% 5xx, 0.1% slower than 0.5 s (nothing fires, as on most days)
            for status, share in zip(STATUSES, (0.9989, 0.001, 0.0001), strict=True):
                labels = f'service="{svc}",method="GET",path="{path}",status="{status}"{place}'
                self.series.append((f"{names.REQUESTS_TOTAL}{{{labels}}}", base * share))
            hist = f'service="{svc}",method="GET",path="{path}"{place}'
            for index, le in enumerate(buckets):
                share = min(1.0, 0.9 + index * 0.0142857)
                self.series.append(
                    (f'{names.REQUEST_DURATION}_bucket{{{hist},le="{le}"}}', base * share)
                )
            self.series.append((f"{names.REQUEST_DURATION}_count{{{hist}}}", base))

    def body(self) -> bytes:
        elapsed = time.monotonic() - self.start + 600
        lines = [f"{name} {int(rate * elapsed)}" for name, rate in self.series]
        return ("\n".join(lines) + "\n").encode()

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = target.body()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"127.0.0.1:{server.server_address[1]}"


def _metrics(prometheus: Any, edge: str = "") -> tuple[float, float, int, float]:
    """From Prometheus's own /metrics: sum of the per-group last evaluation durations,
    the process CPU seconds, the number of rule groups, and the part of the duration spent
    in the group named ``edge``."""
    with urllib.request.urlopen(f"{prometheus.url}/metrics", timeout=30) as response:
        text = response.read().decode()
    durations = edge_duration = cpu = 0.0
    groups = 0
    for line in text.splitlines():
        if line.startswith("prometheus_rule_group_last_duration_seconds{"):
            value = float(line.rsplit(" ", 1)[1])
            durations += value
            groups += 1
            if edge and f';{edge}"' in line:
                edge_duration += value
        elif line.startswith("process_cpu_seconds_total "):
            cpu = float(line.rsplit(" ", 1)[1])
    return durations, cpu, groups, edge_duration


def _phase(
    name: str,
    root: Path,
    address: str,
    rule_files: list[Path],
    args: argparse.Namespace,
    *,
    ready: str = "",
    count: tuple[str, ...] = (),
) -> dict[str, float]:
    """One Prometheus with one rule set: warm up until ``ready`` has a series per SLO, then
    sample for ``args.seconds``; ``count``: metric names whose series are counted at the end."""
    prometheus = start_prometheus(
        root / f"prometheus-{name}",
        scrape_targets=[address],
        rule_files=rule_files,
        interval=args.interval,
    )
    try:
        if rule_files:
            wait_until(
                lambda: len(prometheus.query(ready)) >= 2 * args.services,
                timeout=600,
                interval=1.0,
                what=f"{name} rules evaluated",
            )
        else:
            wait_until(lambda: bool(prometheus.query("up == 1")), timeout=120, what="scrape")
        interval = _seconds(args.interval)
        time.sleep(interval)
        _, cpu_start, _, _ = _metrics(prometheus)
        started = time.monotonic()
        samples: list[float] = []
        edge_samples: list[float] = []
        groups = 0
        while time.monotonic() - started < args.seconds:
            time.sleep(interval)
            duration, _, groups, edge = _metrics(prometheus, "zwobs-sli")
            samples.append(duration)
            edge_samples.append(edge)
        _, cpu_end, _, _ = _metrics(prometheus)
        elapsed = time.monotonic() - started
        counted = sum(float(prometheus.query(f"count({name})")[0]["value"][1]) for name in count)
    finally:
        prometheus.stop()
    return {
        "duration": statistics.median(samples) if samples else 0.0,
        "edge": statistics.median(edge_samples) if edge_samples else 0.0,
        "cpu_per_interval": (cpu_end - cpu_start) / elapsed * interval,
        "groups": groups,
        "counted": counted,
    }


def _seconds(duration: str) -> float:
    return float(duration[:-1]) * {"s": 1, "m": 60}[duration[-1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=30, help="measuring time per rule set")
    parser.add_argument("--interval", default="10s", help="scrape and evaluation interval")
    parser.add_argument(
        "--regions", type=int, default=0, help="fleet topology: regions per service (0: off)"
    )
    args = parser.parse_args()
    if args.regions:
        _regions(args)
        return
    fleet = catalog(args.services)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "sloth").mkdir()
        zwobs_files = _write_rules(fleet, root / "zwobs")
        zwobs_rules = sum(
            len(g["rules"]) for f in zwobs_files for g in yaml.safe_load(f.read_text())["groups"]
        )
        sloth = sloth_groups(fleet)
        sloth_rules = sum(len(g["rules"]) for g in sloth)
        sloth_file = root / "sloth" / "slos.rules.yaml"
        sloth_file.write_text(yaml.safe_dump({"groups": sloth}, sort_keys=False))

        target = _Target(args.services)
        server, address = target.serve()
        print(
            f"{args.services} services, {2 * args.services} SLOs, {len(target.series)} series;"
            f" rules: zwobs {zwobs_rules} (non-constant 34), Sloth-style {sloth_rules};"
            f" interval {args.interval}, {args.seconds}s measured per rule set",
            flush=True,
        )
        try:
            results = {
                "scrape only": _phase("baseline", root, address, [], args),
                "zwobs": _phase(
                    "zwobs", root, address, zwobs_files, args, ready=names.slo_error_ratio("5m")
                ),
                "Sloth-style": _phase(
                    "sloth", root, address, [sloth_file], args, ready="slo:sli_error:ratio_rate5m"
                ),
            }
        finally:
            server.shutdown()
    base_cpu = results["scrape only"]["cpu_per_interval"]
    print(f"{'rule set':<12} {'groups':>7} {'sum of group durations':>24} {'CPU s/interval':>15}")
    for name, r in results.items():
        print(
            f"{name:<12} {r['groups']:>7.0f} {r['duration'] * 1000:>21.1f} ms"
            f" {r['cpu_per_interval']:>15.2f}"
        )
    zwobs, sloth_r = results["zwobs"], results["Sloth-style"]
    ratio = zwobs["duration"] / sloth_r["duration"]
    cpu_ratio = (zwobs["cpu_per_interval"] - base_cpu) / max(
        sloth_r["cpu_per_interval"] - base_cpu, 1e-9
    )
    print(f"ratio zwobs / Sloth-style, rule-group evaluation time: {ratio:.3f} (target <= 0.2)")
    print(f"ratio zwobs / Sloth-style, Prometheus CPU above scraping: {cpu_ratio:.3f}")


def _write_rules(fleet: Catalog, directory: Path) -> list[Path]:
    directory.mkdir()
    files = []
    for path, content in render_alerts(fleet, RenderOptions()).items():
        if path.endswith(".rules.yaml"):
            files.append(directory / Path(path).name)
            files[-1].write_bytes(content)
    return files


def _regions(args: argparse.Namespace) -> None:
    """Both zwobs layers (one Prometheus, edge and global groups timed apart) against
    Sloth-style per-service rules, on services served from ``args.regions`` regions."""
    fleet = catalog(args.services, args.regions)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        zwobs_files = _write_rules(fleet, root / "zwobs")
        sloth_file = root / "sloth.rules.yaml"
        sloth_file.write_text(yaml.safe_dump({"groups": sloth_groups(fleet)}, sort_keys=False))
        target = _Target(args.services, args.regions)
        server, address = target.serve()
        print(
            f"{args.services} services x {args.regions} regions, {2 * args.services} SLOs,"
            f" {len(target.series)} raw series; interval {args.interval},"
            f" {args.seconds}s measured per rule set",
            flush=True,
        )
        try:
            ours = _phase(
                "zwobs",
                root,
                address,
                zwobs_files,
                args,
                ready=names.slo_error_ratio("5m"),
                count=crossing_series(fleet),
            )
            sloth = _phase(
                "sloth", root, address, [sloth_file], args, ready="slo:sli_error:ratio_rate5m"
            )
        finally:
            server.shutdown()
    edge, total = ours["edge"], ours["duration"]
    print(f"{'rule set':<22} {'evaluation (sum of groups)':>27} {'series at the global layer':>27}")
    print(f"{'zwobs edge (zwobs-sli)':<22} {edge * 1000:>24.1f} ms {'':>27}")
    print(
        f"{'zwobs global':<22} {(total - edge) * 1000:>24.1f} ms"
        f" {ours['counted']:>12.0f} (crossing)"
    )
    print(f"{'zwobs edge + global':<22} {total * 1000:>24.1f} ms")
    print(
        f"{'Sloth-style':<22} {sloth['duration'] * 1000:>24.1f} ms"
        f" {len(target.series):>12} (every raw series)"
    )
    print(
        f"Prometheus CPU s per interval: zwobs {ours['cpu_per_interval']:.2f}"
        f" ({ours['groups']:.0f} groups), Sloth-style {sloth['cpu_per_interval']:.2f}"
        f" ({sloth['groups']:.0f} groups), ratio"
        f" {ours['cpu_per_interval'] / max(sloth['cpu_per_interval'], 1e-9):.2f}"
        " (a rule set that needs more than the interval misses evaluations)"
    )
    print(f"ratio zwobs / Sloth-style, evaluation time: {total / sloth['duration']:.2g}")
    print(
        "ratio zwobs / Sloth-style, series the global layer needs:"
        f" {ours['counted'] / len(target.series):.3f}"
    )


if __name__ == "__main__":
    main()
