"""User text echoed in messages: control characters escaped, printable text unchanged."""

from __future__ import annotations

from zwobs.printable import printable


def test_control_characters_are_escaped_visibly() -> None:
    assert printable("a\nb\r\tc\x00\x1b[2J\x7f\x85") == "a\\nb\\r\\tc\\x00\\x1b[2J\\x7f\\x85"


def test_line_separators_and_bidi_overrides_are_escaped() -> None:
    assert printable("x\u2028y\u202ez") == "x\\u2028y\\u202ez"


def test_printable_text_is_unchanged_including_non_ascii() -> None:
    text = "café ✓ services[0].name: expected a DNS label"
    assert printable(text) == text


def test_kept_characters_stay_raw_for_multi_line_output() -> None:
    assert printable("-a\n+b\x1b\n", keep="\n") == "-a\n+b\\x1b\n"
