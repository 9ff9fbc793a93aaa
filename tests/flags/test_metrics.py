"""Flag metrics: bounded labels, failures by reason, truthful readiness/degradation/age."""

from __future__ import annotations

import math

from prometheus_client import REGISTRY, CollectorRegistry

from tests.servers.process import free_port, wait_until
from zwobs import flags, names
from zwobs.flags import FlagsClient


def _value(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def _evals(flag: str, result: str) -> float:
    return _value(names.FLAG_EVALUATIONS, {names.LABEL_FLAG: flag, names.LABEL_RESULT: result})


def test_evaluations_are_counted_by_flag_and_result() -> None:
    client = FlagsClient(bootstrap={"m_on": True, "m_off": False})
    on, off = _evals("m_on", "true"), _evals("m_off", "false")
    client.is_enabled("m_on")
    client.is_enabled("m_on")
    client.is_enabled("m_off")
    assert _evals("m_on", "true") - on == 2
    assert _evals("m_off", "false") - off == 1


def test_unknown_names_share_one_series() -> None:
    client = FlagsClient(bootstrap={"m_known": True})
    before = _evals(names.UNKNOWN_FLAG, "default")
    for i in range(1000):
        client.is_enabled(f"never-defined-{i}")
    assert _evals(names.UNKNOWN_FLAG, "default") - before == 1000
    samples = [
        s for m in REGISTRY.collect() if m.name == names.FLAG_EVALUATIONS.removesuffix("_total")
        for s in m.samples if s.labels.get(names.LABEL_FLAG, "").startswith("never-defined")
    ]  # fmt: skip
    assert samples == []


def test_variant_evaluations_are_counted_by_variant_name() -> None:
    client = FlagsClient(bootstrap={"m_var": {"variants": ["only"]}})
    before = _evals("m_var", "only")
    client.get_variant("m_var", user_id="u")
    assert _evals("m_var", "only") - before == 1


def test_offline_process_client_is_ready_fresh_and_not_degraded() -> None:
    flags.configure(bootstrap={"a": True})
    assert _value(names.FLAG_READY) == 1.0
    assert _value(names.FLAG_STATE_AGE) == 0.0
    for reason in ("timeout", "connection", "unauthorized", "http_error", "invalid_payload"):
        assert _value(names.FLAG_DEGRADED, {names.LABEL_REASON: reason}) == 0.0


def test_unreachable_server_shows_in_failures_degradation_and_infinite_age() -> None:
    before = _value(names.FLAG_REFRESH_FAILURES, {names.LABEL_REASON: "connection"})
    client = flags.configure(url=f"http://127.0.0.1:{free_port()}/api", refresh_interval=0.1)
    wait_until(lambda: client.status().degraded, timeout=10, what="degraded")
    assert _value(names.FLAG_REFRESH_FAILURES, {names.LABEL_REASON: "connection"}) > before
    assert _value(names.FLAG_READY) == 0.0
    assert _value(names.FLAG_DEGRADED, {names.LABEL_REASON: "connection"}) == 1.0
    assert math.isinf(_value(names.FLAG_STATE_AGE))


def test_a_client_given_a_registry_exports_its_own_readiness_and_counts_there() -> None:
    registry = CollectorRegistry()
    down = f"http://127.0.0.1:{free_port()}/api"
    client = FlagsClient(url=down, registry=registry, refresh_interval=0.05, request_timeout=0.5)
    try:
        wait_until(
            lambda: (
                registry.get_sample_value(names.FLAG_DEGRADED, {names.LABEL_REASON: "connection"})
                == 1.0
            ),
            timeout=10,
            what="the explicit client's degradation on its registry",
        )
        assert registry.get_sample_value(names.FLAG_READY) == 0.0
        assert registry.get_sample_value(names.FLAG_STATE_AGE) == math.inf
        client.is_enabled("anything")
        evaluated = {names.LABEL_FLAG: names.UNKNOWN_FLAG, names.LABEL_RESULT: "default"}
        assert registry.get_sample_value(names.FLAG_EVALUATIONS, evaluated) == 1.0
    finally:
        client.close()
    assert registry.get_sample_value(names.FLAG_READY) is None  # a closed client withdraws


def test_several_clients_on_one_registry_are_ready_only_when_all_are() -> None:
    registry = CollectorRegistry()
    offline = FlagsClient(bootstrap={"a": True}, registry=registry)
    assert registry.get_sample_value(names.FLAG_READY) == 1.0
    waiting = FlagsClient(url=f"http://127.0.0.1:{free_port()}/api", registry=registry, start=False)
    assert registry.get_sample_value(names.FLAG_READY) == 0.0
    waiting.close()
    assert registry.get_sample_value(names.FLAG_READY) == 1.0
    offline.close()
