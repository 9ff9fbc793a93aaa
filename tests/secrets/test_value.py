from __future__ import annotations

import logging
import pickle

import pytest

from zwobs.secrets import REDACTED, SecretData, SecretValue

SECRET = "s3cr3t-value-xyz"


def test_secret_value_never_shows_itself_in_repr_str_or_format() -> None:
    value = SecretValue(SECRET)
    rendered = [
        repr(value),
        str(value),
        f"{value}",
        f"{value!r}",
        "%s" % (value,),  # noqa: UP031 - %-formatting is what logging does
        format(value, ">40"),
    ]
    assert all(SECRET not in text for text in rendered)
    assert str(value) == REDACTED


def test_secret_value_reveal_returns_the_secret() -> None:
    assert SecretValue(SECRET).reveal() == SECRET


def test_secret_value_is_redacted_in_log_arguments(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info(
            "password is %s (%r)", SecretValue(SECRET), SecretValue(SECRET)
        )
    assert SECRET not in caplog.text
    assert REDACTED in caplog.text


def test_secret_value_compares_by_value_without_exposing_it() -> None:
    assert SecretValue(SECRET) == SecretValue(SECRET)
    assert SecretValue(SECRET) != SecretValue("other")
    assert SecretValue(SECRET) != SECRET  # no accidental comparison with plain strings
    assert len({SecretValue(SECRET), SecretValue(SECRET)}) == 1


def test_secret_value_and_data_refuse_pickling() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(SecretValue(SECRET))
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(SecretData("db", {"password": SECRET}))


def test_secret_data_repr_lists_keys_not_values() -> None:
    data = SecretData("db", {"password": SECRET, "user": "app"}, version=3)
    assert repr(data) == "SecretData(path='db', version=3, keys=[password, user])"
    assert SECRET not in str(data) and SECRET not in repr(dict(data))
    assert data["password"].reveal() == SECRET
    assert data.reveal() == {"password": SECRET, "user": "app"}


def test_secret_data_wraps_non_string_values_as_text() -> None:
    data = SecretData("x", {"port": 5432, "on": True, "nested": {"b": 1, "a": 2}, "none": None})
    assert data["port"].reveal() == "5432"
    assert data["on"].reveal() == "true"
    assert data["nested"].reveal() == '{"a":2,"b":1}'
    assert data["none"].reveal() == ""
