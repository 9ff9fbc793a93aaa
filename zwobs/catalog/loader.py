"""Build the typed catalog from a zwobs catalog document, checking what the shape cannot.

The shape (types, ranges, unknown keys) is checked by :mod:`zwobs.catalog.shape`; here
come the checks that need the whole document: duplicate names, teams that exist,
latency thresholds that are histogram buckets, and SLOs whose page alert can fire.
Every problem is collected; nothing is raised until the whole file has been read.
"""

from __future__ import annotations

from typing import Any, Final

from yaml.nodes import Node

from zwobs import names, slo
from zwobs.catalog.model import (
    DEFAULT_ALLOWED_CAPABILITIES,
    AlertThresholds,
    Catalog,
    Notifier,
    Receiver,
    Rollout,
    Service,
    Slo,
    SloKind,
    SourceRef,
    Team,
    Topology,
)
from zwobs.catalog.shape import CATALOG, RESERVED_LABELS
from zwobs.catalog.spec import Context, child_path
from zwobs.durations import parse_duration

__all__ = ["MIN_ERROR_BUDGET", "build_catalog", "objective_problem", "period_days"]

MIN_ERROR_BUDGET: Final = 1e-12
"""Smallest error budget (1 - objective) the rules can tell from 0 in a float sample."""


_NOT_LOCATIONS: Final = RESERVED_LABELS | {
    names.LABEL_METHOD,
    names.LABEL_PATH,
    names.LABEL_STATUS,
    names.LABEL_VERSION,
    names.LABEL_COMMIT,
    names.LABEL_SLO_SLOT,
}
"""Labels with another meaning on the series or the rules: never a location."""


def period_days(text: str) -> int:
    """``30d`` -> 30, ``4w`` -> 28 (the shape allows whole days and weeks only)."""
    return int(parse_duration(text) // 86400)


def objective_problem(objective: float, days: int) -> str | None:
    """Why an SLO objective cannot be alerted on for a period, or None when it can."""
    budget = 1 - objective / 100
    if budget < MIN_ERROR_BUDGET:
        return (
            f"objective {objective!r} leaves an error budget of {budget:.3g}, too small to"
            f" measure (expected at most {100 * (1 - MIN_ERROR_BUDGET):.15g})"
        )
    if not slo.page_can_fire(objective, days):
        factor = slo.page_factor(days)
        return (
            f"the page alert could never fire: {factor:g} x (1 - {objective:g}%) ="
            f" {factor * budget:.3g} >= 1 (expected an objective above"
            f" {100 * (1 - 1 / factor):.3g})"
        )
    return None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    return {**base, **over}


def _thresholds(values: dict[str, Any], base: AlertThresholds) -> AlertThresholds:
    return AlertThresholds(
        error_rate=values.get("error_rate", base.error_rate),
        latency_p95_seconds=values.get("latency_p95_seconds", base.latency_p95_seconds),
        min_rps=values.get("min_rps", base.min_rps),
        slo_min_requests=values.get("slo_min_requests", base.slo_min_requests),
    )


def _rollout(values: dict[str, Any]) -> Rollout:
    base = Rollout()
    return Rollout(
        success_rate=values.get("success_rate", base.success_rate),
        latency_p95_seconds=values.get("latency_p95_seconds", base.latency_p95_seconds),
        interval=values.get("interval", base.interval),
        failure_limit=values.get("failure_limit", base.failure_limit),
    )


def _credentials_in_url(url: str) -> bool:
    """A user:password@ part or a query string (where tokens hide) in a webhook URL."""
    rest = url.split("://", 1)[-1]
    return "?" in url or "@" in rest.split("/", 1)[0]


class _Builder:
    def __init__(self, ctx: Context, doc: dict[str, Any]) -> None:
        self.ctx = ctx
        self.doc = doc
        defaults = doc.get("defaults", {})
        self.defaults = defaults
        self.thresholds = _thresholds(
            defaults.get("alerts", {}), AlertThresholds(min_rps=1.0, slo_min_requests=100.0)
        )
        self.teams: dict[str, Any] = doc.get("teams", {})
        self.period = self.check_period("defaults.slo_period", defaults.get("slo_period", "30d"))
        self.locations: tuple[str, ...] = tuple(
            label
            for label in doc.get("topology", {}).get("location_labels", ())
            if isinstance(label, str)  # the shape reported the others
        )
        buckets = doc.get("latency_buckets")
        self.buckets: tuple[float, ...] = (
            tuple(buckets) if buckets else names.DEFAULT_LATENCY_BUCKETS
        )

    def ref(self, path: str) -> SourceRef:
        line, column = self.ctx.positions.get(path, (1, 1))
        return SourceRef(self.ctx.file, line, column)

    def check_period(self, path: str, text: str) -> int:
        """The period's days; an unsupported one is reported and replaced by 30 days so the
        rest of the entry is still checked."""
        days = period_days(text)
        problem = slo.check_period(days)
        if problem is None:
            return days
        self.ctx.error_at(path, problem)
        return 30

    def check_buckets(self) -> None:
        if "latency_buckets" in self.doc and list(self.buckets) != sorted(set(self.buckets)):
            self.ctx.error_at("latency_buckets", "expected strictly increasing bucket bounds")

    def labels(self, path: str, values: dict[str, str]) -> None:
        for key in sorted(values):
            if key in RESERVED_LABELS or key.startswith("__"):
                self.ctx.error_at(
                    child_path(path, key), "label is set by zwobs itself; pick another name"
                )
            elif key in self.locations:
                self.ctx.error_at(
                    child_path(path, key),
                    "label is a topology location label (the series carry it); pick another name",
                )
            elif values[key] == "":
                self.ctx.error_at(
                    child_path(path, key),
                    "expected a non-empty value (Prometheus drops a label whose value is"
                    " empty, so alerts would not carry it)",
                )

    def topology(self) -> Topology:
        raw = self.doc.get("topology")
        if raw is None:
            return Topology()
        path = child_path("topology", "location_labels")
        if raw.get("location_labels") == []:
            self.ctx.error_at(path, "expected at least one location label, such as [region]")
        for index, label in enumerate(self.locations):
            if label in _NOT_LOCATIONS or label.startswith("__"):
                self.ctx.error_at(
                    child_path(path, index),
                    f"{label!r} is set by zwobs or Prometheus itself; expected the label naming"
                    " a location on the series (region, cluster, zone)",
                )
        base = Topology()
        return Topology(
            location_labels=self.locations,
            min_location_requests=raw.get("min_location_requests", base.min_location_requests),
            min_rps_per_location=raw.get("min_rps", "service") == "location",
        )

    def receiver(self, path: str, raw: dict[str, Any] | None) -> Receiver | None:
        """A receiver entry; one with no notifier, or a webhook URL carrying credentials, is
        reported (a route must never end in silence, a secret never in the file)."""
        if raw is None:
            return None
        if not raw:
            self.ctx.error_at(path, "expected at least one of slack, pagerduty, webhook")
            return None
        webhook = raw.get("webhook", {})
        if "url" in webhook and _credentials_in_url(webhook["url"]):
            self.ctx.error_at(
                child_path(child_path(path, "webhook"), "url"),
                "expected a URL without user:password@ or a query string: put the token in a"
                " file and give its path as credentials_file",
            )
            return None
        return Receiver(
            tuple(
                Notifier(kind, tuple(sorted(settings.items())))
                for kind, settings in sorted(raw.items())
            )
        )

    def team(self, name: str, raw: dict[str, Any]) -> Team | None:
        path = f"teams.{name}.receivers"
        if "receivers" not in raw:
            return None
        cfg = raw["receivers"]
        written = {
            role for role in ("pager", "chat") if child_path(path, role) in self.ctx.positions
        }
        critical = cfg.get("critical", "pager" if "pager" in written else "chat")
        if not written:
            self.ctx.error_at(path, "expected a pager or a chat receiver")
        elif critical not in written:
            message = f"critical goes to {critical}, but the team has no {critical}"
            self.ctx.error_at(child_path(path, "critical"), message)
        pager = self.receiver(child_path(path, "pager"), cfg.get("pager"))
        chat = self.receiver(child_path(path, "chat"), cfg.get("chat"))
        if pager is None and chat is None:
            return None
        return Team(name, pager, chat, critical, self.ref(path))

    def slo(self, path: str, raw: dict[str, Any], period: int) -> Slo | None:
        name, objective = raw.get("name"), raw.get("objective")
        threshold = raw.get("latency_threshold_seconds")
        sli = raw.get("sli") or ("latency" if threshold is not None or name == "latency" else None)
        kind = SloKind(sli) if sli else SloKind.AVAILABILITY
        ok = name is not None and objective is not None
        if kind is SloKind.LATENCY:
            if threshold is None:
                where = path if "sli" not in raw else child_path(path, "sli")
                self.ctx.error_at(
                    where, "a latency SLO needs latency_threshold_seconds (a histogram bucket)"
                )
                ok = False
            elif not any(abs(threshold - b) < 1e-9 for b in self.buckets):
                buckets = ", ".join(f"{b:g}" for b in self.buckets)
                self.ctx.error_at(
                    child_path(path, "latency_threshold_seconds"),
                    f"expected one of the histogram buckets ({buckets}), got {threshold:g}",
                )
                ok = False
        elif threshold is not None:
            self.ctx.error_at(
                child_path(path, "latency_threshold_seconds"),
                "only latency SLOs have a threshold (set sli: latency)",
            )
            ok = False
        problem = None if objective is None else objective_problem(objective, period)
        if problem is not None:
            self.ctx.error_at(child_path(path, "objective"), problem)
            ok = False
        if not ok or name is None or objective is None:
            return None
        return Slo(
            name=name,
            kind=kind,
            objective=objective,
            latency_threshold_seconds=threshold,
            description=raw.get("description", ""),
            source=self.ref(path),
        )

    def service(self, path: str, raw: dict[str, Any]) -> Service | None:
        name, team, tier = raw.get("name"), raw.get("team"), raw.get("tier")
        team_cfg: dict[str, Any] = {}
        if team is not None and self.teams:
            if team not in self.teams:
                known = ", ".join(sorted(self.teams))
                message = f"unknown team; expected one of {known}"
                self.ctx.error_at(child_path(path, "team"), message)
            team_cfg = self.teams.get(team, {})
        own_labels = raw.get("labels", {})
        self.labels(child_path(path, "labels"), own_labels)
        inherited = _merge(self.defaults.get("labels", {}), team_cfg.get("labels", {}))
        labels = _merge(inherited, own_labels)
        period = self.period
        if "slo_period" in raw:
            period = self.check_period(child_path(path, "slo_period"), raw["slo_period"])
        slos: list[Slo] = []
        seen: dict[str, str] = {}
        for index, slo_raw in enumerate(raw.get("slos", [])):
            if slo_raw is None:
                continue
            slo_path = child_path(child_path(path, "slos"), index)
            slo = self.slo(slo_path, slo_raw, period)
            slo_name = slo_raw.get("name")
            if slo_name is not None and slo_name in seen:
                self.ctx.error_at(
                    child_path(slo_path, "name"), f"duplicate SLO name (first at {seen[slo_name]})"
                )
                continue
            if slo_name is not None:
                seen[slo_name] = slo_path
            if slo is not None:
                slos.append(slo)
        if name is None or team is None or tier is None:
            return None
        base = team_cfg.get("runbook_base") or self.defaults.get("runbook_base")
        runbook = raw.get("runbook_url") or (f"{base.rstrip('/')}/{name}" if base else "")
        return Service(
            name=name,
            team=team,
            tier=tier,
            alerts=_thresholds(raw.get("alerts", {}), self.thresholds),
            slos=tuple(slos),
            owners=tuple(raw.get("owners", team_cfg.get("owners", ()))),
            labels=tuple(sorted(labels.items())),
            runbook_url=runbook,
            slo_period_days=period,
            rollout=_rollout(_merge(self.defaults.get("rollout", {}), raw.get("rollout", {}))),
            registries=tuple(raw.get("registries", ())),
            source=self.ref(path),
            description=raw.get("description", ""),
        )

    def build(self) -> Catalog:
        self.check_buckets()
        self.labels("defaults.labels", self.defaults.get("labels", {}))
        for team, cfg in sorted(self.teams.items()):
            self.labels(f"teams.{team}.labels", cfg.get("labels", {}))
        services: list[Service] = []
        first: dict[str, str] = {}
        for index, raw in enumerate(self.doc.get("services", [])):
            if raw is None:
                continue
            path = child_path("services", index)
            name = raw.get("name")
            if name is not None and name in first:
                line = self.ctx.positions.get(first[name], (0, 0))[0]
                self.ctx.error_at(
                    child_path(path, "name"), f"duplicate service name (first at line {line})"
                )
                continue
            if name is not None:
                first[name] = path
            service = self.service(path, raw)
            if service is not None:
                services.append(service)
        alerting = self.doc.get("alerting", {})
        alert_for = alerting.get("for", {})
        teams = [self.team(name, cfg) for name, cfg in sorted(self.teams.items())]
        default = self.receiver("alerting.receiver", alerting.get("receiver"))
        routed = [name for name, cfg in sorted(self.teams.items()) if cfg.get("receivers")]
        if routed and default is None and "alerting.receiver" not in self.ctx.positions:
            self.ctx.error_at(
                f"teams.{routed[0]}.receivers",
                "teams have receivers, so alerting.receiver is required: the default route"
                " for alerts of services with no team receiver must never be silent",
            )
        return Catalog(
            services=tuple(sorted(services, key=lambda s: s.name)),
            registries=tuple(self.doc.get("registries", ())),
            required_labels=tuple(self.doc.get("required_labels", ("team",))),
            allowed_capabilities=tuple(
                self.doc.get("allowed_capabilities", DEFAULT_ALLOWED_CAPABILITIES)
            ),
            source=self.ctx.file,
            defaults=self.thresholds,
            alert_for=tuple(sorted(alert_for.items())),
            latency_buckets=self.buckets,
            topology=self.topology(),
            teams=tuple(team for team in teams if team is not None),
            default_receiver=default,
        )


def build_catalog(node: Node, ctx: Context) -> Catalog:
    """The catalog of one zwobs document; problems go to ``ctx.issues``."""
    ctx.remember(node, "")
    doc = CATALOG.check(node, "", ctx)
    if doc is None:
        return Catalog(services=(), source=ctx.file)
    return _Builder(ctx, doc).build()
