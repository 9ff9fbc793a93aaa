"""Shards: whole units, balanced, each Trivy with its own timeout, and the same findings as
one Trivy over the whole tree."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.policies.conftest import PARAMS
from tests.scan.conftest import FIXTURES, TODAY
from zwobs.scan import ScanError, ScanOptions, run_scan
from zwobs.scan.inventory import StagedFile, Unit, UnitKind
from zwobs.scan.shards import MAX_SHARD_WEIGHT, plan_shards

STUBS = Path(__file__).parent / "data" / "stubs"


def _unit(name: str, weight: int, kind: UnitKind = UnitKind.KUBERNETES) -> Unit:
    return Unit(kind, name, (StagedFile(f"0/{name}", b""),), weight)


def test_a_small_tree_is_one_shard() -> None:
    assert plan_shards([_unit("a", 1), _unit("b", 2)], jobs=4) == [[_unit("b", 2), _unit("a", 1)]]


def test_a_large_tree_is_balanced_over_the_jobs_and_no_shard_is_too_heavy() -> None:
    units = [_unit(f"m{i}", 1 + i % 3) for i in range(3000)]
    shards = plan_shards(units, jobs=2)
    weights = [sum(u.weight for u in shard) for shard in shards]
    assert len(shards) == 6  # 6,000 objects, 1,000 at most per shard
    assert max(weights) <= MAX_SHARD_WEIGHT and max(weights) - min(weights) <= 3
    assert sorted(u.display for s in shards for u in s) == sorted(u.display for u in units)


def test_other_configuration_stays_together_in_one_shard() -> None:
    units = [_unit(f"m{i}", 10) for i in range(20)]
    units += [_unit(f"t{i}.tf", 1, UnitKind.OTHER) for i in range(5)]
    shards = plan_shards(units, jobs=2)
    holding = [i for i, s in enumerate(shards) if any(u.kind is UnitKind.OTHER for u in s)]
    assert holding == [0]
    assert sum(1 for u in shards[0] if u.kind is UnitKind.OTHER) == 5


def test_a_sharded_scan_reports_exactly_what_one_trivy_run_reports(
    trivy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = ScanOptions(
        paths=FIXTURES, params=PARAMS, trivy=trivy, vulnerabilities=False, today=TODAY, jobs=1
    )
    single = run_scan(options)
    monkeypatch.setattr("zwobs.scan.shards._MIN_SPLIT_WEIGHT", 1)
    monkeypatch.setattr("zwobs.scan.shards.MAX_SHARD_WEIGHT", 4)
    sharded = run_scan(replace(options, jobs=2))
    assert sharded.evaluations_proven == single.evaluations_proven
    assert [a.finding for a in sharded.gate.assessed] == [a.finding for a in single.gate.assessed]


def test_a_shard_that_times_out_fails_the_scan_and_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FAKE Trivy (a stub that never finishes): the real one cannot be made to hang.
    for i in range(3):
        (tmp_path / f"pod-{i}.yaml").write_text(
            f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec: {{containers: []}}\n"
        )
    monkeypatch.setattr("zwobs.scan.shards._MIN_SPLIT_WEIGHT", 1)
    options = ScanOptions(
        paths=(tmp_path,),
        params=PARAMS,
        trivy=str(STUBS / "trivy-hang"),
        vulnerabilities=False,
        timeout=0.5,
        jobs=3,
    )
    with pytest.raises(ScanError, match=r"shard \d of 3 \(.*pod-\d\.yaml\): .*timed out"):
        run_scan(options)
