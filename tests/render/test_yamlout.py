"""The hand-written YAML emitter reads back, through PyYAML, as exactly what was dumped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from zwobs.catalog import load_catalog
from zwobs.render import RenderOptions
from zwobs.render.alerts import render_alerts
from zwobs.render.yamlout import dump_yaml

ROOT = Path(__file__).resolve().parents[2]

TRICKY: list[Any] = [
    "yes", "No", "on", "null", "~", "1.5", "0x1f", "1e3", ".inf", "-", "a: b", "# c", "x #y",
    "'q'", '"dq"', "{a}", "[a]", "*ref", "&anchor", "!tag", "%", "@", "`", " lead", "trail ",
    "multi\nline", "multi\nline\n", "a\n\nb\n", " indented\nblock", "tab\there", "ünïcode",
    "", "-1", "+1", "<unmatched>", "http://x.example/a?b=c#d", "{{ $labels.service }}",
    1, 0, -3, 1.25, True, False, None,
]  # fmt: skip


@pytest.mark.parametrize("value", TRICKY)
def test_scalars_round_trip(value: Any) -> None:
    data = {"key": value, "list": [value, {"inner": value}], str(value): "as key"}
    assert yaml.safe_load(dump_yaml(data)) == data


def test_nested_and_empty_collections_round_trip() -> None:
    data = {"a": [{"b": [1, [2, [3]]], "c": {}}, [], {}], "d": {"e": {"f": []}}}
    assert yaml.safe_load(dump_yaml(data)) == data


def test_rendered_alert_files_round_trip() -> None:
    catalog = load_catalog([ROOT / "examples" / "catalog.yaml"])
    for content in render_alerts(catalog, RenderOptions()).values():
        data = yaml.safe_load(content)
        assert yaml.safe_load(dump_yaml(data)) == data


@pytest.mark.parametrize("text", ["1e3", "y", "N", "0x1f", "0o17", "1_000", "+1", ".5", "1:30"])
def test_strings_go_yaml_would_read_as_numbers_or_booleans_are_quoted(text: str) -> None:
    assert dump_yaml({"k": text}) == f'k: "{text}"\n'.encode()


@pytest.mark.parametrize("text", ["5m", "30d", "1h30m", "svc-00001", "slo:sli_error:ratio_rate5m"])
def test_durations_and_names_stay_plain(text: str) -> None:
    assert dump_yaml({"k": text}) == f"k: {text}\n".encode()
