"""One reading of environment settings for every runtime part."""

from __future__ import annotations

import pytest

from zwobs.env import EnvError, env_bool, env_list, env_seconds, env_str


@pytest.mark.parametrize("raw", ["1", "true", "YES", " on "])
def test_true_spellings(raw: str) -> None:
    assert env_bool("X", False, {"X": raw}) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "OFF"])
def test_false_spellings(raw: str) -> None:
    assert env_bool("X", True, {"X": raw}) is False


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_unset_or_blank_means_the_default(raw: str | None) -> None:
    env = {} if raw is None else {"X": raw}
    assert env_bool("X", True, env) is True
    assert env_seconds("X", 2.0, env) == 2.0
    assert env_str("X", env) is None
    assert env_list("X", env) == ()


def test_an_unknown_boolean_is_refused_by_name_not_guessed() -> None:
    with pytest.raises(EnvError, match=r"ZWOBS_TRACING='enable': expected one of 1, true"):
        env_bool("ZWOBS_TRACING", True, {"ZWOBS_TRACING": "enable"})


@pytest.mark.parametrize(
    ("raw", "seconds"), [("2.5", 2.5), ("500ms", 0.5), ("30s", 30.0), ("5m", 300.0)]
)
def test_seconds_accept_numbers_and_durations(raw: str, seconds: float) -> None:
    assert env_seconds("T", 1.0, {"T": raw}) == seconds


@pytest.mark.parametrize("raw", ["-1", "0", "abc", "inf", "nan", "5 minutes"])
def test_bad_seconds_are_refused(raw: str) -> None:
    with pytest.raises(EnvError, match=r"T=.*expected seconds > 0"):
        env_seconds("T", 1.0, {"T": raw})


def test_zero_seconds_only_where_allowed() -> None:
    assert env_seconds("T", 1.0, {"T": "0"}, allow_zero=True) == 0.0


def test_lists_are_comma_separated_with_blanks_dropped() -> None:
    assert env_list("L", {"L": " a, ,b ,"}) == ("a", "b")
