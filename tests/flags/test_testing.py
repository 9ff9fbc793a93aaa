"""Forcing flags in tests: no server, no bootstrap, every thread, nestable."""

from __future__ import annotations

import threading

from zwobs import flags
from zwobs.flags import FlagsClient, Variant
from zwobs.flags.testing import FlagOverrides, override


def test_override_forces_flags_without_any_configuration() -> None:
    with override(new_chat_ui=True, old_ui=False):
        assert flags.is_enabled("new_chat_ui") is True
        assert flags.is_enabled("old_ui", True) is False
    assert flags.is_enabled("new_chat_ui") is False


def test_override_wins_over_the_state() -> None:
    client = FlagsClient(bootstrap={"a": True})
    with override({"a": False}):
        assert client.is_enabled("a") is False
    assert client.is_enabled("a") is True


def test_a_variant_name_forces_an_enabled_variant() -> None:
    with override(theme="dark"):
        variant = flags.get_variant("theme")
        assert (variant.name, variant.enabled, variant.feature_enabled) == ("dark", True, True)
        assert flags.is_enabled("theme") is True


def test_nested_overrides_innermost_wins_and_unwinds() -> None:
    with override(a=True), override(a=False):
        assert flags.is_enabled("a") is False
    with override(a=True):
        with override(a=False):
            pass
        assert flags.is_enabled("a") is True


def test_overrides_apply_in_other_threads() -> None:
    seen: list[bool] = []
    with override(a=True):
        thread = threading.Thread(target=lambda: seen.append(flags.is_enabled("a")))
        thread.start()
        thread.join()
    assert seen == [True]


def test_fixture_sets_flags_for_one_test(zwobs_flags: FlagOverrides) -> None:
    zwobs_flags.set("new_chat_ui", True)
    zwobs_flags.variant("greeting", "casual", payload="Hey")
    zwobs_flags.variant("limits", "big", payload={"max": 10})
    assert flags.is_enabled("new_chat_ui") is True
    assert flags.get_string("greeting", "Hello") == "Hey"
    assert flags.get_json("limits", {}) == {"max": 10}
    zwobs_flags.disabled("greeting")
    assert flags.get_string("greeting", "Hello") == "Hello"
    zwobs_flags.unknown("new_chat_ui")
    assert flags.is_enabled("new_chat_ui") is False


def test_fixture_state_does_not_leak_into_the_next_test() -> None:
    assert flags.is_enabled("new_chat_ui") is False
    assert flags.get_variant("greeting") == Variant("disabled", False)
