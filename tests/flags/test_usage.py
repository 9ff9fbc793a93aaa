"""Usage counts for Unleash: yes/no/variants per known flag, drained by each send."""

from __future__ import annotations

from typing import Any

from zwobs.flags import FlagsClient
from zwobs.flags._usage import Usage


def test_take_returns_the_counts_since_the_last_take() -> None:
    usage = Usage()
    usage.enabled("a", True)
    usage.enabled("a", False)
    usage.variant("b", True, "blue")
    bucket = usage.take()
    assert bucket is not None
    assert bucket["toggles"] == {
        "a": {"yes": 1, "no": 1, "variants": {}},
        "b": {"yes": 1, "no": 0, "variants": {"blue": 1}},
    }
    assert bucket["start"] <= bucket["stop"]
    assert usage.take() is None


def test_only_known_flags_are_counted_for_unleash() -> None:
    client = FlagsClient(url="http://127.0.0.1:9/api", bootstrap={"a": True}, start=False)
    for i in range(100):
        client.is_enabled(f"unknown-{i}")
    client.is_enabled("a")
    assert client._reporter is not None
    bucket = client._reporter.usage.take()
    assert bucket is not None
    assert list(bucket["toggles"]) == ["a"]


def test_offline_and_disabled_clients_count_nothing() -> None:
    assert FlagsClient(bootstrap={"a": True})._reporter is None
    disabled = FlagsClient(url="http://127.0.0.1:9/api", send_metrics=False, start=False)
    assert disabled._reporter is None


class _SwapMidCount(Usage):
    """Usage whose table is taken (as the refresh thread would) right after each count."""

    def __init__(self) -> None:
        super().__init__()
        self.buckets: list[dict[str, Any] | None] = []

    def enabled(self, name: str, value: bool) -> list[Any]:
        counts = super().enabled(name, value)
        self.buckets.append(self.take())
        return counts


def test_variant_survives_a_take_between_counting_and_the_variant() -> None:
    usage = _SwapMidCount()
    usage.variant("b", True, "blue")
    assert usage.buckets[0] is not None
    assert usage.buckets[0]["toggles"]["b"]["yes"] == 1
