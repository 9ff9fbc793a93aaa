"""Bootstrap files: the simple YAML and Unleash's JSON both become an Unleash payload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zwobs.flags import FlagsClient, FlagsConfigError, load_bootstrap
from zwobs.flags.bootstrap import parse_simple, payload_from_mapping


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_simple_yaml_on_off_and_percent_become_flexible_rollouts(tmp_path: Path) -> None:
    path = _write(tmp_path, "flags.yaml", "a: on\nb: off\nc: 25%\n")
    features = {f["name"]: f for f in load_bootstrap(path)["features"]}
    assert features["a"]["enabled"] is True
    assert features["b"]["enabled"] is False
    strategy = features["c"]["strategies"][0]
    assert strategy["name"] == "flexibleRollout"
    assert strategy["parameters"] == {"rollout": "25", "stickiness": "default", "groupId": "c"}


def test_simple_yaml_under_a_flags_key_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, "flags.yaml", "flags:\n  a: on\n")
    assert [f["name"] for f in load_bootstrap(path)["features"]] == ["a"]


def test_variant_weights_add_up_to_one_thousand_per_mille() -> None:
    payload = parse_simple({"x": {"variants": ["a", {"name": "b", "weight": 2}, "c"]}})
    variants = payload["features"][0]["variants"]
    assert sum(v["weight"] for v in variants) == 1000
    assert [v["weight"] for v in variants] == [250, 500, 250]


def test_variant_payloads_keep_strings_and_encode_objects_as_json() -> None:
    payload = parse_simple({"x": {"variants": [{"name": "s", "payload": "blue"},
                                               {"name": "j", "payload": {"k": 1}}]}})  # fmt: skip
    s, j = payload["features"][0]["variants"]
    assert s["payload"] == {"type": "string", "value": "blue"}
    assert j["payload"] == {"type": "json", "value": '{"k": 1}'}


def test_unleash_json_export_is_taken_as_is(tmp_path: Path) -> None:
    data = {"version": 2, "features": [{"name": "f", "enabled": True, "strategies": []}]}
    path = _write(tmp_path, "features.json", json.dumps(data))
    assert load_bootstrap(path) == data


def test_unleash_format_inside_yaml_is_taken_as_is(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.yaml", "features:\n  - name: f\n    enabled: true\n")
    assert load_bootstrap(path)["features"][0]["name"] == "f"


def test_bad_rollout_names_file_line_flag_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "flags.yaml", "a: on\nb:\n  rollout: 150\n")
    with pytest.raises(FlagsConfigError) as err:
        load_bootstrap(path)
    assert str(err.value).startswith(f"{path}:2: flag 'b': field 'rollout'")
    assert "0-100" in str(err.value)


def test_unknown_field_is_named_with_the_expected_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, "flags.yaml", "a:\n  rolout: 5\n")
    with pytest.raises(FlagsConfigError, match=r"flags.yaml:1: flag 'a': unknown field 'rolout'"):
        load_bootstrap(path)


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "flags.yaml", "a: on\nb: [unclosed\n")
    with pytest.raises(FlagsConfigError, match=r"flags.yaml:3: invalid YAML"):
        load_bootstrap(path)


def test_invalid_json_reports_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.json", '{\n"features": [,]\n}')
    with pytest.raises(FlagsConfigError, match=r"f.json:2: invalid JSON"):
        load_bootstrap(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FlagsConfigError, match="cannot read the flags file"):
        load_bootstrap(tmp_path / "nope.yaml")


def test_bad_unleash_payload_names_the_feature_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.json", json.dumps({"features": [{"name": "ok"}, {"name": 3}]}))
    with pytest.raises(FlagsConfigError, match=r"features\[1\]\.name: expected a non-empty string"):
        FlagsClient(bootstrap=path)


def test_empty_file_means_no_flags(tmp_path: Path) -> None:
    assert load_bootstrap(_write(tmp_path, "flags.yaml", "")) == {"version": 2, "features": []}


def test_example_bootstrap_defines_new_chat_ui() -> None:
    root = Path(__file__).resolve().parents[2]
    client = FlagsClient(bootstrap=root / "examples" / "flags.yaml")
    assert "new_chat_ui" in client.flag_names


def test_dict_bootstrap_with_the_flags_wrapper_works_like_the_file() -> None:
    client = FlagsClient(bootstrap={"flags": {"a": True, "b": "off"}})
    assert client.is_enabled("a")
    assert not client.is_enabled("b")


def test_payload_from_mapping_keeps_an_unleash_payload() -> None:
    payload = {"version": 2, "features": [{"name": "a", "enabled": True, "strategies": []}]}
    assert payload_from_mapping(payload) == payload
