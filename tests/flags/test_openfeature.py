"""The OpenFeature provider: zwobs underneath, FLAG_NOT_FOUND for missing flags."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openfeature import api
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason

from tests.flags.payloads import RICH
from zwobs import flags
from zwobs.flags import FlagsClient
from zwobs.flags.openfeature import ZwobsProvider
from zwobs.flags.testing import override


@pytest.fixture
def of_client() -> Iterator[api.OpenFeatureClient]:
    api.set_provider(ZwobsProvider(FlagsClient(bootstrap=RICH)))
    yield api.get_client()
    api.clear_providers()


def test_missing_flag_is_flag_not_found_with_the_default(of_client: api.OpenFeatureClient) -> None:
    details = of_client.get_boolean_details("no_such_flag", True)
    assert details.value is True
    assert details.error_code == ErrorCode.FLAG_NOT_FOUND
    assert details.reason == Reason.ERROR
    assert of_client.get_string_details("no_such_flag", "d").error_code == ErrorCode.FLAG_NOT_FOUND


def test_boolean_uses_targeting_key_as_user_id(of_client: api.OpenFeatureClient) -> None:
    assert of_client.get_boolean_value("by_user_id", False, EvaluationContext("u7")) is True
    assert of_client.get_boolean_value("by_user_id", True, EvaluationContext("u8")) is False


def test_reasons_tell_static_disabled_and_targeting_apart(
    of_client: api.OpenFeatureClient,
) -> None:
    assert of_client.get_boolean_details("simple_on", False).reason == Reason.STATIC
    assert of_client.get_boolean_details("simple_off", True).reason == Reason.DISABLED
    assert of_client.get_boolean_details("rollout_user", False).reason == Reason.TARGETING_MATCH


def test_attributes_become_unleash_context(of_client: api.OpenFeatureClient) -> None:
    ctx = EvaluationContext("u1", {"remoteAddress": "10.1.1.1"})
    assert of_client.get_boolean_value("by_address", False, ctx) is True


def test_string_and_object_come_from_the_variant_payload(
    of_client: api.OpenFeatureClient,
) -> None:
    values = set()
    for i in range(60):
        details = of_client.get_string_details("variants", "none", EvaluationContext(f"u{i}"))
        values.add((details.variant, details.value))
    assert values == {("red", "#f00"), ("blue", '{"shade": 3}')}
    found = [
        of_client.get_object_value("variants", {}, EvaluationContext(f"u{i}")) for i in range(60)
    ]
    assert {"shade": 3} in found


def test_payload_of_the_wrong_type_is_type_mismatch(of_client: api.OpenFeatureClient) -> None:
    for i in range(60):
        details = of_client.get_integer_details("variants", 5, EvaluationContext(f"u{i}"))
        if details.variant == "red":
            assert details.error_code == ErrorCode.TYPE_MISMATCH
            assert details.value == 5
            return
    pytest.fail("no user got the red variant")


def test_integer_and_float_payloads(of_client: api.OpenFeatureClient) -> None:
    ints = {
        of_client.get_integer_value("strategy_variants", -1, EvaluationContext(f"u{i}"))
        for i in range(60)
    }
    assert {10, 20} <= ints
    floats = {
        of_client.get_float_value("strategy_variants", -1.0, EvaluationContext(f"u{i}"))
        for i in range(60)
    }
    assert {10.0, 20.0} <= floats


def test_enabled_flag_without_variants_gives_the_default_string(
    of_client: api.OpenFeatureClient,
) -> None:
    details = of_client.get_string_details("simple_on", "fallback")
    assert (details.value, details.reason, details.error_code) == ("fallback", Reason.DEFAULT, None)


def test_forced_flags_are_known_to_the_provider(of_client: api.OpenFeatureClient) -> None:
    with override(only_in_test=True):
        details = of_client.get_boolean_details("only_in_test", False)
    assert (details.value, details.error_code, details.reason) == (True, None, Reason.STATIC)


def test_provider_without_a_client_uses_the_process_wide_one() -> None:
    flags.configure(bootstrap={"x": True})
    api.set_provider(ZwobsProvider())
    try:
        assert api.get_client().get_boolean_value("x", False) is True
    finally:
        api.clear_providers()
