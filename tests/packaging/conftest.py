"""One build and one set of installs for every packaging test of the session."""

from __future__ import annotations

import pytest

from tests.packaging.installs import EXTRA_SETS, Dists, Install, build_dists, install_all

DISTS = ("wheel", "sdist")


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    return build_dists(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def installs(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Install]:
    plan = [(dist, extra) for dist in DISTS for extra in EXTRA_SETS]
    done = install_all(dists, plan, tmp_path_factory.mktemp("venvs"))
    return {install.name: install for install in done}
