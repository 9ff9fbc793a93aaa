"""Flag state: payload checks, and the context-free shortcuts agree with the engine."""

from __future__ import annotations

import pytest

from tests.flags.payloads import RICH, contexts
from zwobs.flags import FlagsConfigError
from zwobs.flags._state import build_state, normalize_payload


def test_constant_answers_agree_with_the_engine_for_every_context() -> None:
    state = build_state(RICH, origin="test", source="bootstrap")
    assert state.engine is not None
    assert set(state.constants) == {
        "simple_on", "simple_off", "no_strategies", "rollout_full_default", "variants",
    }  # fmt: skip
    for ctx in [*contexts(200), {}]:
        for name, constant in state.constants.items():
            assert state.engine.is_enabled(name, ctx) is constant, (name, ctx)


def test_flags_with_dependencies_are_never_shortcut() -> None:
    state = build_state(RICH, origin="test", source="bootstrap")
    assert "child" not in state.constants


def test_payload_without_features_list_is_rejected_with_origin() -> None:
    with pytest.raises(FlagsConfigError, match=r"^server: features: expected a list of flags"):
        normalize_payload({"features": {}}, "server")


def test_duplicate_flag_names_are_rejected() -> None:
    with pytest.raises(FlagsConfigError, match="flag 'a': expected each flag name once"):
        normalize_payload({"features": [{"name": "a"}, {"name": "a"}]}, "x")


def test_strategy_without_name_is_rejected_with_its_index() -> None:
    data = {"features": [{"name": "a", "enabled": True, "strategies": [{"parameters": {}}]}]}
    with pytest.raises(FlagsConfigError, match=r"flag 'a'\.strategies\[0\]\.name"):
        normalize_payload(data, "x")
