"""One build and one set of installs for every packaging test of the session.

On the Python running the tests: the wheel as core and every extra set, the sdist as core
and [all]. On the other supported Pythons, the fast subset CI runs (wheel as core and as [all]);
``make matrix`` runs the whole set (and the unit suite) on each Python in turn.
``ZWOBS_PACKAGING_PYTHONS`` (comma-separated, may be empty) overrides the other Pythons.
"""

from __future__ import annotations

import os
import sys

import pytest

from tests.packaging.installs import (
    EXTRA_SETS,
    SUPPORTED,
    Dists,
    Install,
    build_dists,
    install_all,
    install_name,
)

CURRENT = f"{sys.version_info.major}.{sys.version_info.minor}"
_chosen = os.environ.get("ZWOBS_PACKAGING_PYTHONS")
OTHERS = tuple(
    v
    for v in (SUPPORTED if _chosen is None else [p.strip() for p in _chosen.split(",")])
    if v and v != CURRENT
)
PLAN = [
    *((CURRENT, "wheel", extra) for extra in EXTRA_SETS),
    # pip builds the sdist in isolation (build-system.requires) and installs the result; the
    # extras only add dependencies, so core and [all] cover what the sdist can get wrong.
    *((CURRENT, "sdist", extra) for extra in ("core", "all")),
    *((version, "wheel", extra) for version in OTHERS for extra in ("core", "all")),
]
INSTALLS = [install_name(*entry) for entry in PLAN]


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    return build_dists(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def installs(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Install]:
    done = install_all(dists, PLAN, tmp_path_factory.mktemp("venvs"))
    return {install.name: install for install in done}
