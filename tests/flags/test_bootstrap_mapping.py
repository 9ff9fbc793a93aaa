"""A bootstrap mapping is read like a bootstrap file, ``flags:`` wrapper included."""

from __future__ import annotations

from zwobs.flags import FlagsClient
from zwobs.flags.bootstrap import payload_from_mapping


def test_dict_bootstrap_with_the_flags_wrapper_works_like_the_file() -> None:
    client = FlagsClient(bootstrap={"flags": {"a": True, "b": "off"}})
    assert client.is_enabled("a")
    assert not client.is_enabled("b")


def test_payload_from_mapping_keeps_an_unleash_payload() -> None:
    payload = {"version": 2, "features": [{"name": "a", "enabled": True, "strategies": []}]}
    assert payload_from_mapping(payload) == payload
