"""Bootstrap files: the simple YAML and Unleash's JSON both become an Unleash payload."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from zwobs.flags import FlagsClient, FlagsConfigError, load_bootstrap
from zwobs.flags.bootstrap import MAX_BYTES, parse_simple, payload_from_mapping


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
    with pytest.raises(FlagsConfigError, match=r"flags.yaml:3:1: invalid YAML"):
        load_bootstrap(path)


def test_invalid_json_reports_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.json", '{\n"features": [,]\n}')
    with pytest.raises(FlagsConfigError, match=r"f.json:2: invalid JSON"):
        load_bootstrap(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FlagsConfigError, match=r"nope\.yaml:1:1: cannot read the file"):
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


def _alias_bomb_flags() -> str:
    """A ~600-byte bootstrap whose variant payload expands to ~10^8 nodes."""
    lines = ["anchors:", "  - &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        refs = ", ".join([f"*{prev}"] * 10)
        lines.append(f"  - &{name} [{refs}]")
    lines += ["checkout:", "  variants:", "    - {name: blue, payload: *h}"]
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_in_a_variant_payload_is_refused_fast(tmp_path: Path) -> None:
    path = _write(tmp_path, "flags.yaml", _alias_bomb_flags())
    assert path.stat().st_size <= 700
    started = time.perf_counter()
    with pytest.raises(FlagsConfigError, match=r"flags\.yaml:1:1: document expands to more than"):
        load_bootstrap(path)
    assert time.perf_counter() - started < 5  # counted, never expanded (was 20 s and 2.5 GB)


def test_a_bootstrap_larger_than_the_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _write(tmp_path, "flags.yaml", "a: on\n")
    with open(path, "ab") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(FlagsConfigError, match=f"larger than {MAX_BYTES} bytes"):
        load_bootstrap(path)


def test_two_yaml_documents_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "flags.yaml", "a: on\n---\nb: on\n")
    with pytest.raises(FlagsConfigError, match="expected one YAML document, got 2"):
        load_bootstrap(path)


def test_unleash_payload_shape_in_yaml_is_taken_as_unleash_takes_it() -> None:
    payload = parse_simple(
        {
            "x": {
                "variants": [
                    {"name": "a", "payload": {"type": "string", "value": "plain"}},
                    {"name": "b", "payload": {"type": "json", "value": {"k": 1}}},
                    {"name": "c", "payload": {"type": "number", "value": 7}},
                    {"name": "d", "payload": {"type": "other", "value": "x"}},
                ]
            }
        }
    )
    shown = [v["payload"] for v in payload["features"][0]["variants"]]
    assert shown == [
        {"type": "string", "value": "plain"},
        {"type": "json", "value": '{"k": 1}'},
        {"type": "number", "value": "7"},
        {"type": "json", "value": '{"type": "other", "value": "x"}'},
    ]
    client = FlagsClient(
        bootstrap={"x": {"variants": [{"name": "a", "payload": {"type": "string", "value": "v"}}]}}
    )
    assert client.get_string("x", "default") == "v"


def test_a_delta_api_document_is_a_bootstrap(tmp_path: Path) -> None:
    events = {
        "events": [
            {"eventId": 1, "type": "hydration", "segments": [], "features": [
                {"name": "a", "enabled": True, "strategies": [{"name": "default"}]},
                {"name": "b", "enabled": True, "strategies": [{"name": "default"}]},
            ]},
            {"eventId": 2, "type": "feature-removed", "featureName": "b", "project": "default"},
        ]
    }  # fmt: skip
    path = _write(tmp_path, "flags.json", json.dumps(events))
    assert [f["name"] for f in load_bootstrap(path)["features"]] == ["a"]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ({"events": "x"}, "'events' list"),
        ({"events": [{"type": "renamed"}]}, r"events\[0\]\.type: expected hydration"),
        ({"events": [{"type": "feature-updated", "feature": 3}]}, r"feature: expected an object"),
        ({"events": [{"type": "segment-updated", "segment": {}}]}, "an object with 'id'"),
        ({"events": [{"type": "hydration", "features": None}]}, "list of objects with 'name'"),
    ],
)
def test_a_malformed_delta_document_names_the_event(events: object, message: str) -> None:
    with pytest.raises(FlagsConfigError, match=message):
        payload_from_mapping(events)  # type: ignore[arg-type]


def test_error_messages_never_echo_a_whole_value() -> None:
    with pytest.raises(FlagsConfigError) as info:
        parse_simple({"x": ["y" * 10_000]})
    assert len(str(info.value)) < 300
