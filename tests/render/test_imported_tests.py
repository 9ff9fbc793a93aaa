"""Generated promtool tests of imported SLOs: which query shapes get one, and that they fail
when the rules do not page as the spec says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.specs import SLOTH
from tests.render.rule_files import promtool_test, write_alerts
from zwobs.catalog import load_catalog
from zwobs.render.imported_tests import _model, linear_terms

_EVENTS = 'sum(rate(http_requests_total{job="a",code=~"(5..|429)"}[{{.window}}]))'
_TOTAL = 'sum(rate(http_requests_total{job="a"}[{{.window}}]))'
_GOOD = 'sum(rate(http_requests_total{job="a",code!~"5.."}[{{.window}}]))'
_LATENCY = (
    'sum(rate(d_count{verb!="WATCH"}[{{.window}}])) - sum(rate(d_bucket{le="0.4",verb!="WATCH"}'
    "[{{.window}}]))"
)


@pytest.mark.parametrize(
    ("errors", "total"),
    [
        (_EVENTS, _TOTAL),
        (_LATENCY, 'sum(rate(d_count{verb!="WATCH"}[{{.window}}]))'),
        (f"({_TOTAL} - ({_GOOD} or 0 * {_TOTAL}))", _TOTAL),
        (f"{_EVENTS} or on() vector(0)", _TOTAL),
    ],
    ids=["events", "latency from buckets", "good and total", "or vector(0)"],
)
def test_sums_of_rates_get_two_series_that_read_any_ratio(errors: str, total: str) -> None:
    terms_e, terms_t = linear_terms(errors), linear_terms(total)
    assert terms_e is not None and terms_t is not None
    model = _model(terms_e, terms_t)
    assert model is not None
    good, bad = model.rates(0.0, 10.0), model.rates(1.0, 10.0)
    assert min(*good, *bad) >= 0 and sum(good) > 0


@pytest.mark.parametrize(
    "query",
    [
        "sum_over_time((count(ratio < 0.75))[{{.window}}:])",
        "1 - (sum(sum_over_time(r[{{.window}}])) / sum(count_over_time(r[{{.window}}])))",
        "sum(increase(x[{{.window}}]))",
        "sum(rate(x[{{.window}}] offset 1h))",
        "sum(rate(x[{{.window}}])",
    ],
)
def test_other_shapes_get_no_generated_test(query: str) -> None:
    assert linear_terms(query) is None


def test_a_regex_python_cannot_read_or_too_many_selectors_give_no_test() -> None:
    rust_only = linear_terms('sum(rate(x{code=~"\\\\pL+"}[{{.window}}]))')
    total = linear_terms("sum(rate(x[{{.window}}]))")
    assert rust_only is not None and total is not None
    assert _model(rust_only, total) is None
    many = linear_terms(" + ".join(f"sum(rate(x{i}[{{{{.window}}}}]))" for i in range(9)))
    assert many is not None and _model(many, total) is None


def test_generated_tests_fail_when_the_page_loses_a_routing_label(tmp_path: Path) -> None:
    spec = tmp_path / "sloth.yaml"
    spec.write_text(SLOTH)
    write_alerts(load_catalog([spec]), tmp_path)
    assert promtool_test(tmp_path / "alerts").returncode == 0
    rules = tmp_path / "alerts" / "myservice.rules.yaml"
    rules.write_text(rules.read_text().replace("routing_key: myteam", "routing_key: nobody"))
    broken = promtool_test(tmp_path / "alerts")
    assert broken.returncode != 0 and 'routing_key="nobody"' in broken.stderr


def test_a_query_nested_deeper_than_python_recurses_gets_no_test() -> None:
    deep = "sum(" * 2000 + "rate(x[{{.window}}])" + ")" * 2000
    assert linear_terms(deep) is None
