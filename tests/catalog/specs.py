"""Sloth and OpenSLO documents as their projects document them (catalog and render tests)."""

from __future__ import annotations

__all__ = ["OPENSLO", "OPENSLO_REF", "SLOTH"]

SLOTH = """\
version: "prometheus/v1"
service: "myservice"
labels:
  owner: "myteam"
  repo: "myorg/myservice"
  tier: "2"
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Common SLO based on availability for HTTP request responses."
    sli:
      events:
        error_query: >-
          sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      name: MyServiceHighErrorRate
      labels:
        category: "availability"
      annotations:
        summary: "High error rate on 'myservice' requests responses"
      page_alert:
        labels:
          severity: pageteam
          routing_key: myteam
      ticket_alert:
        labels:
          severity: "slack"
          slack_channel: "#alerts-myteam"
"""

OPENSLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  service: checkout
  description: Checkout answers without a 5xx
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 28d
      isRolling: true
  indicator:
    metadata:
      name: checkout-errors
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: checkout_requests_total{code!~"5.."}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: checkout_requests_total
  objectives:
    - displayName: good
      target: 0.995
"""

OPENSLO_REF = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: search-errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Prometheus
        spec:
          query: search_requests_total{code=~"5.."}
    total:
      metricSource:
        type: Prometheus
        spec:
          query: search_requests_total
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-availability
spec:
  service: search
  indicatorRef: search-errors
  timeWindow:
    - duration: 4w
      isRolling: true
  objectives:
    - targetPercent: 99
"""
