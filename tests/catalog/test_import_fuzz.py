"""Any field of an import replaced by a value of the wrong shape is an issue with a position,
never a traceback (the importers read user input that no schema has checked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.catalog.shapes import OPENSLO_CASES, SLOTH_CASES, Case
from zwobs.catalog import CatalogError, load_catalog

_WRONG: tuple[Any, ...] = (None, [{"a": 1}], {}, "x", True)
_CASES = [
    c
    for c in (*SLOTH_CASES, *OPENSLO_CASES)
    if c.name
    in (
        "getting-started",
        "kubernetes-apiserver (latency from buckets)",
        "k8s-getting-started (PrometheusServiceLevel CRD)",
        "inline ratio, good and total counters",
        "indicatorRef and metricSourceRef across three files",
        "raw failure ratio",
    )
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


def _replaced(document: Any, path: tuple[Any, ...], wrong: Any) -> Any:
    if not path:
        return wrong
    head, *rest = path
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[head] = _replaced(document[head], tuple(rest), wrong)
    return copy


@pytest.mark.parametrize("case", _CASES, ids=lambda c: c.name)
def test_every_field_of_the_wrong_shape_is_an_issue_not_a_traceback(
    case: Case, tmp_path: Path
) -> None:
    accepted = refused = 0
    for name, text in case.files.items():
        documents = list(yaml.safe_load_all(text))
        for index, document in enumerate(documents):
            for path in _paths(document):
                for wrong in _WRONG:
                    mutated = [*documents]
                    mutated[index] = _replaced(document, path, wrong)
                    files = {**case.files, name: yaml.safe_dump_all(mutated)}
                    for file_name, content in files.items():
                        (tmp_path / file_name).write_text(content)
                    try:
                        load_catalog([tmp_path / f for f in files])
                        accepted += 1
                    except CatalogError as error:
                        assert all(i.line >= 1 and i.message for i in error.issues)
                        refused += 1
    assert refused > accepted > 0
