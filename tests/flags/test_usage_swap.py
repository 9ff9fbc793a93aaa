"""Usage counts: a send swapping the table mid-count does not break get_variant."""

from __future__ import annotations

from typing import Any

from zwobs.flags._usage import Usage


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
