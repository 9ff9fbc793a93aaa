"""The published JSON Schema agrees with the loader on what a catalog's shape may be."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.catalog.test_loader import ISSUE_EXAMPLE
from zwobs.catalog import CatalogError, json_schema, load_catalog

ROOT = Path(__file__).resolve().parents[2]


def _validator() -> jsonschema.protocols.Validator:
    schema = json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)  # type: ignore[no-any-return]


def test_schema_is_valid_draft_2020_12_and_json_serialisable() -> None:
    schema = json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert json.loads(json.dumps(schema)) == schema
    _validator()


@pytest.mark.parametrize("text", [ISSUE_EXAMPLE, (ROOT / "examples" / "catalog.yaml").read_text()])
def test_schema_accepts_the_catalogs_the_loader_accepts(text: str) -> None:
    _validator().validate(yaml.safe_load(text))


BAD_SHAPES = [
    "services: [{name: a, team: t, tier: 1, colour: red}]",
    "services: [{name: a, team: t}]",
    "services: [{name: a, team: t, tier: 1, slos: [{name: x, objective: 100}]}]",
    "services: [{name: A_b, team: t, tier: 1}]",
    "defaults: {slo_period: 30x}\nservices: []",
    "defaults: {alerts: {error_rate: 2}}\nservices: []",
    "alerting: {for: {Unknown: 5m}}\nservices: []",
    "services: [{name: a, team: t, tier: 1, labels: {bad-key: x}}]",
]


@pytest.mark.parametrize("text", BAD_SHAPES)
def test_schema_and_loader_both_reject_bad_shapes(tmp_path: Path, text: str) -> None:
    assert list(_validator().iter_errors(yaml.safe_load(text)))
    path = tmp_path / "c.yaml"
    path.write_text(text + "\n")
    with pytest.raises(CatalogError):
        load_catalog([path])
