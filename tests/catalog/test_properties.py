"""Property: any document either loads or is refused with exit 2 and file:line, never a
traceback. Bounded to about a second; ``ZWOBS_HYPOTHESIS_EXAMPLES=3000`` runs a deep search
(done before commit: no failure)."""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwobs.cli import main

_KEYS = [
    "version",
    "defaults",
    "alerts",
    "error_rate",
    "latency_p95_seconds",
    "min_rps",
    "slo_min_requests",
    "runbook_base",
    "runbook_url",
    "rollout",
    "interval",
    "failure_limit",
    "success_rate",
    "alerting",
    "for",
    "HighErrorRate",
    "teams",
    "labels",
    "owners",
    "registries",
    "required_labels",
    "latency_buckets",
    "services",
    "name",
    "team",
    "tier",
    "slos",
    "objective",
    "sli",
    "latency_threshold_seconds",
    "slo_period",
    "description",
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "indicator",
    "ratioMetric",
    "good",
    "bad",
    "total",
]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["30d", "4w", "5m", "0", "99.9", "latency", "openslo/v1", "prometheus/v1"]),
    st.text(max_size=12),
)
_keys = st.one_of(st.sampled_from(_KEYS), st.text(max_size=8))
_documents = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=5)),
    max_leaves=25,
)
_ISSUE = re.compile(r"^.+:\d+:\d+: ")


def _yaml(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, default_flow_style=None)


_EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml").read_text()
_LINES = _EXAMPLE.splitlines()


@st.composite
def _edited_example(draw: st.DrawFn) -> str:
    """The example catalog with a few lines' values replaced: deep paths, odd values."""
    lines = list(_LINES)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        head = lines[index].split(":", 1)[0] if ":" in lines[index] else lines[index]
        value = draw(_scalars)
        lines[index] = f"{head}: {yaml.safe_dump(value, default_flow_style=True).strip()}"
        lines[index] = lines[index].removesuffix("\n...").removesuffix(" ...")
    return "\n".join(lines) + "\n"


_texts = st.one_of(
    _edited_example(),
    _documents.map(_yaml),
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


def _validate(text: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["validate", str(path)])
    out, err = out.getvalue(), err.getvalue()
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    if code == 2:
        lines = err.splitlines()
        assert lines, "exit 2 without a message"
        problems = lines[:-1] if lines[-1].endswith("in the catalog") else lines
        for line in problems:
            assert _ISSUE.match(line) or line.startswith("error: "), line
            assert str(path) in line
    else:
        assert out.startswith("ok: ")


@settings(
    max_examples=int(os.environ.get("ZWOBS_HYPOTHESIS_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=_texts)
def test_any_document_loads_or_is_refused_with_file_line_never_a_traceback(
    text: str,
) -> None:
    _validate(text)


@settings(
    max_examples=int(os.environ.get("ZWOBS_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    services=st.lists(st.dictionaries(st.sampled_from(_KEYS), _documents, max_size=6), max_size=3),
    defaults=st.dictionaries(st.sampled_from(_KEYS), _documents, max_size=3),
)
def test_any_catalog_shaped_document_loads_or_is_refused_with_file_line(
    services: list[dict[str, Any]],
    defaults: dict[str, Any],
) -> None:
    _validate(_yaml({"defaults": defaults, "services": services}))


def test_the_property_covers_non_finite_numbers() -> None:
    assert math.isnan(yaml.safe_load(_yaml(math.nan)))
