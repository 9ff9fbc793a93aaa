"""Property: any valid catalog renders rule files that the real promtool accepts.

Bounded to a few seconds (``ZWOBS_HYPOTHESIS_EXAMPLES`` raises it). The generated unit
tests (``promtool test rules``, seconds per catalog) run here only when
``ZWOBS_PROPERTY_PROMTOOL_TEST=1``: a 30-example run of that mode found that an empty
routing label value broke them (now refused by the loader, pinned in test_loader.py).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.render.rule_files import promtool_check, promtool_test, write_alerts
from zwobs import names
from zwobs.catalog import load_catalog

_EXAMPLES = int(os.environ.get("ZWOBS_HYPOTHESIS_EXAMPLES", "25"))
_UNIT_TESTS = os.environ.get("ZWOBS_PROPERTY_PROMTOOL_TEST") == "1"

_names = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)
_slo = st.one_of(
    st.fixed_dictionaries({"name": st.just("availability"), "objective": st.floats(95, 99.99999)}),
    st.fixed_dictionaries(
        {
            "name": st.just("latency"),
            "objective": st.floats(95, 99.999),
            "latency_threshold_seconds": st.sampled_from(names.DEFAULT_LATENCY_BUCKETS[:-1]),
        }
    ),
)
_service = st.fixed_dictionaries(
    {"team": st.sampled_from(["identity", "payments"]), "tier": st.integers(1, 3)},
    optional={
        "slos": st.lists(_slo, max_size=2, unique_by=lambda s: s["name"]),
        "slo_period": st.sampled_from(["7d", "14d", "28d", "30d", "4w"]),
        "alerts": st.fixed_dictionaries(
            {},
            optional={
                "error_rate": st.floats(0.001, 0.5),
                "latency_p95_seconds": st.floats(0.01, 10),
                "min_rps": st.floats(0, 1000),
            },
        ),
        "labels": st.dictionaries(
            st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True).filter(
                lambda k: (
                    k not in {"service", "severity", "slo", "sli", "team", "tier", "le", "job"}
                )
            ),
            st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=8),
            max_size=2,
        ),
        "runbook_url": st.just("https://wiki.example.com/own-runbook"),
    },
)
_catalogs = st.fixed_dictionaries(
    {
        "services": st.lists(
            st.tuples(_names, _service), min_size=1, max_size=4, unique_by=lambda t: t[0]
        ).map(lambda pairs: [{"name": n, **s} for n, s in pairs]),
    },
    optional={
        "defaults": st.fixed_dictionaries(
            {},
            optional={
                "runbook_base": st.just("https://runbooks.example.com/services"),
                "slo_period": st.sampled_from(["28d", "30d"]),
            },
        )
    },
)


# No shrinking: each example runs promtool, and a failure prints its catalog anyway.
@settings(
    max_examples=_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(document=_catalogs)
def test_any_valid_catalog_renders_rules_promtool_accepts(
    document: dict[str, Any],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "catalog.yaml").write_text(yaml.safe_dump(document))
        catalog = load_catalog([root / "catalog.yaml"])
        write_alerts(catalog, root)
        checked = promtool_check(root / "alerts")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        if _UNIT_TESTS:
            tested = promtool_test(root / "alerts")
            assert tested.returncode == 0, tested.stdout + tested.stderr
