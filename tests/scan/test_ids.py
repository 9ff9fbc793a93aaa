"""Check ids name the same check across Trivy versions."""

from __future__ import annotations

import pytest

from zwobs.scan import normalise_id
from zwobs.scan.ids import same_check


@pytest.mark.parametrize("spelling", ["KSV018", "KSV-0018", "AVD-KSV-0018", "ksv018", "KSV-018"])
def test_every_trivy_spelling_of_ksv18_normalises_to_one_id(spelling: str) -> None:
    assert normalise_id(spelling) == "KSV-0018"


def test_dockerfile_checks_normalise_like_kubernetes_checks() -> None:
    assert normalise_id("DS002") == normalise_id("AVD-DS-0002") == "DS-0002"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ZW-K8S-001", "ZW-K8S-001"),
        ("zw-df-003", "ZW-DF-003"),
        ("CVE-2024-0001", "CVE-2024-0001"),
        ("aws-access-key-id", "aws-access-key-id"),
    ],
)
def test_ids_that_are_not_numbered_trivy_checks_keep_their_shape(raw: str, expected: str) -> None:
    assert normalise_id(raw) == expected


def test_same_check_compares_normalised_ids() -> None:
    assert same_check("KSV018", "AVD-KSV-0018")
    assert not same_check("KSV018", "KSV-0016")
