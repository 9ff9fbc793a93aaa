"""The one duration grammar (Prometheus's)."""

from __future__ import annotations

import pytest

from zwobs.durations import format_duration, is_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("500ms", 0.5), ("5m", 300), ("1h30m", 5400), ("28d", 28 * 86400), ("4w", 28 * 86400)],
)
def test_parse(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5 m", "-5m", "1.5h", "m5"])
def test_not_a_duration(text: str) -> None:
    assert not is_duration(text)
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["5m", "1h30m", "28d", "2h", "500ms", "1d6h"])
def test_format_round_trips(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


@pytest.mark.parametrize(
    ("text", "ok"),
    [("5m", True), ("1h30m", True), ("90s", True), ("5", False), ("5 m", False), ("m", False)],
)
def test_is_duration_accepts_prometheus_durations_only(text: str, ok: bool) -> None:
    assert is_duration(text) is ok
