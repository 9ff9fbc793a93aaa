"""Selector parsing and the human summary of ``zwobs verify``."""

from __future__ import annotations

import json
import math

import pytest

from zwobs.promql import Matcher
from zwobs.verify.decision import Measurement, Outcome, Thresholds, Verdict
from zwobs.verify.gate import Check, parse_selector, render_json, render_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version=v2", Matcher("version", "v2")),
        ('version="v2"', Matcher("version", "v2")),
        ("pod=~'web-.*'", Matcher("pod", "web-.*", "=~")),
        ("commit != abc", Matcher("commit", "abc", "!=")),
        ("instance!~10\\..*", Matcher("instance", "10\\..*", "!~")),
    ],
)
def test_selector_accepts_label_op_value(text: str, expected: Matcher) -> None:
    assert parse_selector(text) == expected


@pytest.mark.parametrize("text", ["v2", "=v2", "1abc=v", "ver-sion=v2", ""])
def test_selector_rejects_what_is_not_a_matcher(text: str) -> None:
    with pytest.raises(ValueError, match=r"LABEL=VALUE|invalid label name"):
        parse_selector(text)


def test_selector_value_with_a_quote_is_escaped_in_promql() -> None:
    assert parse_selector('version=a"b').render() == 'version="a\\"b"'


CHECK = Check("user-service", "5m", (Matcher("version", "v2"),), Thresholds())


def test_text_summary_names_service_scope_outcome_and_numbers() -> None:
    verdict = Verdict(
        Outcome.FAIL, ("error ratio 20.00% above 5.00%",), Measurement(1234, 0.2, 0.12)
    )
    text = render_text(CHECK, verdict)
    assert text.splitlines()[0] == 'zwobs verify user-service {version="v2"} over 5m: FAIL'
    assert "1234" in text and "20.00%" in text and "0.120s" in text
    assert text.endswith("- error ratio 20.00% above 5.00%")


def test_text_summary_shows_missing_numbers_as_na() -> None:
    verdict = Verdict(Outcome.INCONCLUSIVE, ("no traffic",), Measurement(None, None, math.nan))
    assert render_text(CHECK, verdict).count("n/a") == 3


def test_json_summary_has_no_nan_and_carries_the_limits() -> None:
    verdict = Verdict(Outcome.INCONCLUSIVE, ("x",), Measurement(0.0, math.nan, math.nan))
    loaded = json.loads(render_json(CHECK, verdict))
    assert loaded["outcome"] == "inconclusive"
    assert loaded["error_ratio"] is None and loaded["latency_seconds"] is None
    assert loaded["selector"] == ['version="v2"']
    assert loaded["limits"]["max_error_ratio"] == 0.05
