"""The shapes of Sloth's ``prometheus/v1`` examples (and its CRD) and of OpenSLO v1 SLO
documents, written for zwobs's tests: each case is what a team migrating would hand
``zwobs validate`` and what zwobs must answer.

A case is accepted (services, SLOs, warnings), or refused with a message naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.catalog.specs import OPENSLO, SLOTH

__all__ = ["OPENSLO_CASES", "SLOTH_CASES", "Case"]


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str]
    services: int = 0
    """Services of an accepted case; 0 for a refused one."""
    slos: int = 0
    refused: tuple[str, ...] = ()
    """Substrings of the issues (``file:line:column: path: message``) a refused case gets."""
    warnings: tuple[str, ...] = ()
    tested: tuple[str, ...] = ()
    """Services whose rules get a generated promtool test (linear SLIs)."""
    no_alert_rules: tuple[str, ...] = field(default=())
    """Services whose rules file holds no alert (every alert disabled)."""


_HOME_WIFI = """\
version: "prometheus/v1"
service: "home-wifi"
labels: {cluster: "valhalla", component: "ubiquiti"}
slos:
  - name: "good-wifi-client-satisfaction"
    objective: 95
    sli:
      events:
        error_query: sum_over_time((count(wifi_client_satisfaction_ratio < 0.75))[{{.window}}:]) OR on() vector(0)
        total_query: sum_over_time((count(wifi_client_satisfaction_ratio))[{{.window}}:])
    alerting:
      name: GoodWifiClientSatisfaction
      page_alert: {labels: {severity: home}}
      ticket_alert: {labels: {severity: warning}}
  - name: "risk-wifi-client-satisfaction"
    objective: 99.9
    sli:
      events:
        error_query: sum_over_time((count(wifi_client_satisfaction_ratio < 0.5))[{{.window}}:]) OR on() vector(0)
        total_query: sum_over_time((count(wifi_client_satisfaction_ratio))[{{.window}}:])
    alerting:
      name: RiskWifiClientSatisfaction
      page_alert: {labels: {severity: home}}
      ticket_alert: {labels: {severity: warning}}
"""  # noqa: E501

_APISERVER = """\
version: "prometheus/v1"
service: "k8s-apiserver"
labels: {cluster: "valhalla", component: "kubernetes"}
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(apiserver_request_total{code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(apiserver_request_total[{{.window}}]))
    alerting:
      name: K8sApiserverAvailabilityAlert
      labels: {category: "availability"}
      annotations: {runbook: "https://runbooks.example/apiserver#errors"}
      page_alert: {labels: {severity: critical}}
      ticket_alert: {labels: {severity: warning}}
  - name: "requests-latency"
    objective: 99
    sli:
      events:
        error_query: |
          (
            sum(rate(apiserver_request_duration_seconds_count{verb!="WATCH"}[{{.window}}]))
            -
            sum(rate(apiserver_request_duration_seconds_bucket{le="0.4",verb!="WATCH"}[{{.window}}]))
          )
        total_query: sum(rate(apiserver_request_duration_seconds_count{verb!="WATCH"}[{{.window}}]))
    alerting:
      name: K8sApiserverLatencyAlert
      labels: {category: "latency"}
      page_alert: {labels: {severity: critical}}
      ticket_alert: {disable: true}
"""

_TWO_SERVICES = f"""\
---
{SLOTH}---
{SLOTH.replace('service: "myservice"', 'service: "myservice2"').replace('"2"', '"1"')}"""

_NO_ALERTS = """\
version: "prometheus/v1"
service: "myapp"
labels: {owner: "myteam"}
slos:
  - name: "http-availability"
    objective: 99.99
    sli:
      events:
        error_query: |
          sum(rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[{{.window}}]))
        total_query: |
          sum(rate(http_request_duration_seconds_count{job="myapp"}[{{.window}}]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""  # noqa: E501

_PLUGIN_SLI = SLOTH.replace(
    """      events:
        error_query: >-
          sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
""",
    """      plugin:
        id: "getting_started_availability"
        options: {job: myservice}
""",
)

_RAW = """\
version: "prometheus/v1"
service: "home-wifi"
labels: {cluster: "valhalla"}
slos:
  - name: "wifi-client-satisfaction"
    objective: 95
    sli:
      raw:
        errorRatioQuery: |
          1 - (
            sum(sum_over_time(wifi_client_satisfaction_ratio[{{.window}}]))
            /
            sum(count_over_time(wifi_client_satisfaction_ratio[{{.window}}]))
          )
    alerting:
      name: WifiClientSatisfaction
      page_alert: {labels: {severity: home}}
      ticket_alert: {labels: {severity: warning}}
"""

_SLO_PLUGINS = SLOTH.replace(
    "slos:\n",
    """slo_plugins:
  chain:
    - {id: "sloth.dev/core/debug/v1", priority: 9999999, config: {msg: "Plugin 99"}}
slos:
""",
).replace(
    "    sli:\n",
    """    plugins:
      chain:
        - {id: "sloth.dev/core/debug/v1", config: {msg: "Plugin 1"}}
    sli:
""",
)

_INTERVAL = """\
version: "prometheus/v1"
service: "myapp"
labels: {owner: "myteam"}
slos:
  - name: "cpu-availability"
    objective: 99.99
    interval: {slierror: "4m", metadata: "2m", alert: "2m"}
    sli:
      events:
        error_query: sum(rate(node_cpu_seconds_total{mode="softirq"}[{{.window}}]))
        total_query: sum(rate(node_cpu_seconds_total[{{.window}}]))
    alerting:
      name: MyServiceHighErrorRate
      page_alert: {labels: {severity: pageteam, routing_key: myteam}}
      ticket_alert: {disable: true}
"""

_VICTORIA = """\
version: prometheus/v1
service: foo-bar
labels: {owner: foo, generated: true}
slo_plugins:
  overridePrevious: true
  chain:
    - id: sloth.dev/contrib/validate_victoria_metrics/v1
slos:
- name: grpc-latency-percentile-90
  objective: 90
  labels: {actual_le: 0.2}
  sli:
    events:
      error_query: 1 - histogram_share(0.2, sum by (vmrange) (rate(requests_duration_seconds_bucket{container_name="foo-bar-grpc"}[{{.window}}])))
      total_query: vector(1)[{{.window}}]
  alerting:
    name: slo_foo_bar_grpc_latency_fail
"""  # noqa: E501

_CRD = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: sloth-slo-my-service, namespace: monitoring}
spec:
  service: "myservice"
  labels: {owner: "myteam", repo: "myorg/myservice", tier: "2"}
  slos:
    - name: "requests-availability"
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
          totalQuery: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
      alerting:
        name: MyServiceHighErrorRate
        labels: {category: "availability"}
        annotations: {summary: "High error rate on 'myservice' requests responses"}
        pageAlert: {labels: {severity: pageteam, routing_key: myteam}}
        ticketAlert: {labels: {severity: "slack", slack_channel: "#alerts-myteam"}}
"""  # noqa: E501

_CRD_PLUGINS = _CRD.replace(
    "  slos:\n",
    "  sloPlugins:\n    chain:\n"
    '      - id: "sloth.dev/contrib/denominator_corrected_rules/v1"\n  slos:\n',
)

_SPLIT_SECOND = SLOTH.replace('name: "requests-availability"', 'name: "requests-latency"')

_UNBALANCED = SLOTH.replace(
    "[{{.window}}]))\n        total_query", "[{{.window}}])\n        total_query"
)

SLOTH_CASES: tuple[Case, ...] = (
    Case("getting-started", {"sloth.yaml": SLOTH}, 1, 1, tested=("myservice",)),
    Case("home-wifi (gauges, subqueries)", {"wifi.yaml": _HOME_WIFI}, 1, 2),
    Case("kubernetes-apiserver (latency from buckets)", {"api.yaml": _APISERVER}, 1, 2,
         tested=("k8s-apiserver",)),
    Case("multifile (two specs in one file)", {"multi.yaml": _TWO_SERVICES}, 2, 2,
         tested=("myservice", "myservice2")),
    Case("no-alerts", {"quiet.yaml": _NO_ALERTS}, 1, 1, tested=("myapp",),
         no_alert_rules=("myapp",)),
    Case("plugin-getting-started", {"plugin.yaml": _PLUGIN_SLI},
         refused=("plugin.yaml:13:9: slos[0].sli.plugin: Sloth plugins are not supported",)),
    Case("raw-home-wifi", {"raw.yaml": _RAW}, 1, 1),
    Case("slo-plugin-getting-started", {"chain.yaml": _SLO_PLUGINS},
         refused=("chain.yaml:8:3: slo_plugins: Sloth plugins are not supported",
                  "slos[0].plugins: Sloth plugins are not supported")),
    Case("custom_rule_group_interval", {"interval.yaml": _INTERVAL}, 1, 1, tested=("myapp",),
         warnings=("interval.yaml:7: slos[0].interval: ignored",)),
    Case("victoria-metrics (MetricsQL)", {"vm.yaml": _VICTORIA},
         refused=("slo_plugins: Sloth plugins are not supported",
                  "vm.yaml:14:20: slos[0].sli.events.error_query: PromQL does not parse",
                  "vm.yaml:15:20: slos[0].sli.events.total_query: PromQL does not parse")),
    Case("k8s-getting-started (PrometheusServiceLevel CRD)", {"crd.yaml": _CRD}, 1, 1,
         tested=("myservice",)),
    Case("contrib-denominator-corrected (CRD with a plugin chain)", {"crd.yaml": _CRD_PLUGINS},
         refused=("crd.yaml:8:5: spec.sloPlugins: Sloth plugins are not supported",)),
    Case("one service split across two spec files",
         {"part1.yaml": SLOTH, "part2.yaml": _SPLIT_SECOND}, 1, 2, tested=("myservice",)),
    Case("a query with an unbalanced parenthesis", {"typo.yaml": _UNBALANCED},
         refused=("typo.yaml:13:22: slos[0].sli.events.error_query: PromQL does not parse",)),
)  # fmt: skip


_DATASOURCE = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prometheus-main}
spec:
  type: Prometheus
  connectionDetails: {url: "http://prometheus:9090"}
"""

_SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: search-errors}
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        metricSourceRef: prometheus-main
        spec: {query: 'search_requests_total{code=~"5.."}'}
    total:
      metricSource:
        metricSourceRef: prometheus-main
        spec: {query: search_requests_total}
"""

_SLO_REF = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-availability
  labels: {routing_key: search-team}
spec:
  service: search
  budgetingMethod: Occurrences
  timeWindow: [{duration: 4w, isRolling: true}]
  indicatorRef: search-errors
  objectives: [{target: 0.99}]
"""


def _gauge(counter: str) -> str:
    return f"""\
apiVersion: openslo/v1
kind: SLO
metadata: {{name: api-availability}}
spec:
  service: api
  budgetingMethod: Occurrences
  timeWindow: [{{duration: 30d, isRolling: true}}]
  indicator:
    metadata: {{name: api-ratio}}
    spec:
      ratioMetric:
        counter: {counter}
        good:
          metricSource:
            type: Prometheus
            spec: {{query: 'sum(rate(api_requests_total{{code!~"5.."}}[{{{{.window}}}}]))'}}
        total:
          metricSource:
            type: Prometheus
            spec: {{query: 'sum(rate(api_requests_total[{{{{.window}}}}]))'}}
  objectives: [{{target: 0.995}}]
"""


_RAW_METRIC = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: queue-health}
spec:
  service: queue
  budgetingMethod: Occurrences
  timeWindow: [{duration: 7d, isRolling: true}]
  indicator:
    metadata: {name: queue-failure-ratio}
    spec:
      ratioMetric:
        rawType: failure
        raw:
          metricSource:
            type: Prometheus
            spec: {query: 'avg_over_time(queue_failure_ratio[{{.window}}])'}
  objectives: [{target: 0.99}]
"""

_LIST_FORM = f"""\
- {_DATASOURCE.replace(chr(10), chr(10) + "  ").rstrip()}
- {_SLI.replace(chr(10), chr(10) + "  ").rstrip()}
- {_SLO_REF.replace(chr(10), chr(10) + "  ").rstrip()}
"""

_ALERTING_KINDS = (
    OPENSLO
    + """\
---
apiVersion: openslo/v1
kind: Service
metadata: {name: checkout}
spec: {description: Checkout}
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: fast-burn}
spec:
  conditions: [{conditionRef: burn}]
  notificationTargets: [{targetRef: pager}]
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: burn}
spec: {severity: page, condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 2m}}
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata: {name: pager}
spec: {target: pagerduty, description: on call}
"""  # noqa: E501
)

OPENSLO_CASES: tuple[Case, ...] = (
    Case("inline ratio, good and total counters", {"slo.yaml": OPENSLO}, 1, 1,
         tested=("checkout",)),
    Case("indicatorRef and metricSourceRef across three files",
         {"datasource.yaml": _DATASOURCE, "sli.yaml": _SLI, "slo.yaml": _SLO_REF}, 1, 1,
         tested=("search",)),
    Case("counter: false (rate expressions as given)", {"gauge.yaml": _gauge("false")}, 1, 1,
         tested=("api",)),
    Case("counter: False", {"gauge.yaml": _gauge("False")}, 1, 1, tested=("api",)),
    Case('counter: "false"', {"gauge.yaml": _gauge('"false"')}, 1, 1, tested=("api",)),
    Case("counter: maybe", {"gauge.yaml": _gauge("maybe")},
         refused=("gauge.yaml:12:18: spec.indicator.spec.ratioMetric.counter: expected true or"
                  " false, got 'maybe'",)),
    Case("raw failure ratio", {"raw.yaml": _RAW_METRIC}, 1, 1),
    Case("calendar-aligned window",
         {"cal.yaml": OPENSLO.replace("isRolling: true", "calendar: {startTime: '2024-01-01 00:00:00', timeZone: UTC}")},  # noqa: E501
         refused=("cal.yaml:11:7: spec.timeWindow[0]: calendar-aligned windows are not"
                  " supported",)),
    Case("good and bad together",
         {"both.yaml": OPENSLO.replace("        good:", "        bad:\n          metricSource: {type: Prometheus, spec: {query: x}}\n        good:")},  # noqa: E501
         refused=("both.yaml:18:9: spec.indicator.spec.ratioMetric: expected good or bad next to"
                  " total, not both",)),
    Case("document list (the SDK's YAML list form)", {"list.yaml": _LIST_FORM}, 1, 1,
         tested=("search",)),
    Case("indicatorRef without its SLI file", {"slo.yaml": _SLO_REF},
         refused=("slo.yaml:10:17: spec.indicatorRef: no SLI document named 'search-errors'",)),
    Case("Service, AlertPolicy, AlertCondition, AlertNotificationTarget beside the SLO",
         {"all.yaml": _ALERTING_KINDS}, 1, 1, tested=("checkout",),
         warnings=("Service 'checkout' ignored", "AlertPolicy 'fast-burn' ignored",
                   "AlertCondition 'burn' ignored", "AlertNotificationTarget 'pager' ignored")),
    Case("thresholdMetric",
         {"t.yaml": OPENSLO.replace("ratioMetric:", "thresholdMetric:")},
         refused=("spec.indicator: expected spec.ratioMetric (thresholdMetric is not supported)",)),
    Case("Timeslices budgeting",
         {"ts.yaml": OPENSLO.replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices")},  # noqa: E501
         refused=("ts.yaml:9:20: spec.budgetingMethod: expected Occurrences",)),
)  # fmt: skip
