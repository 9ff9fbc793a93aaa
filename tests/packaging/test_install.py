"""zwobs installed the way users install it, each install in a fresh virtualenv: the wheel as
core, [render], [flags], [secrets], [tracing] and [all] and the sdist as core and [all] on the
interpreter running the tests, the wheel as core and [all] on the other supported Pythons
(conftest.py has the plan).

Every public module imports or names its missing extra; every command answers --help; the
commands run (render, validate, verify against a stand-in Prometheus, scan with the Trivy the
tests use, secrets check on the file provider); the wheel holds the package and nothing else;
a consumer type-checks against it with ``mypy --strict``.
"""

from __future__ import annotations

import json
import os
import sys
import tarfile
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.conftest import CURRENT, INSTALLS, OTHERS
from tests.packaging.installs import (
    EXTRA_SETS,
    REPO,
    SUPPORTED,
    Dists,
    Install,
    editable_install,
    run,
)
from tests.packaging.stand_in_prometheus import stand_in_prometheus
from tests.servers.trivy import trivy_binary
from zwobs import promql
from zwobs.policies import PACK, Target
from zwobs.render import generator_names

pytestmark = pytest.mark.integration

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
VERSION = PYPROJECT["project"]["version"]
CATALOG = REPO / "examples" / "catalog.yaml"
PROBE = Path(__file__).with_name("probe.py")
CONSUMER = Path(__file__).with_name("consumer")

# Public modules that need more than the core, and what: anything else must import on core.
NEEDS = {
    "zwobs.render.dashboards": "render",
    "zwobs.render.grafana": "render",
    "zwobs.secrets.vault": "secrets",
    "zwobs.tracing.client": "tracing",
    "zwobs.flags.openfeature": "openfeature",
}
# The pytest plugin is loaded by pytest itself, so it needs pytest (not an extra) to import.
NEEDS_PYTEST = "zwobs.flags.pytest_plugin"
COMMANDS = {
    "(top)", "validate", "catalog", "catalog schema", "render", "verify", "scan", "secrets",
    "secrets check",
}  # fmt: skip
CORE_OUTPUTS = ",".join(name for name in generator_names() if name != "dashboards")


def _zwobs(install: Install, *args: str | Path, cwd: Path) -> tuple[int, str, str]:
    done = run([install.root / "bin" / "zwobs", *args], cwd=cwd, env=install.env())
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(params=INSTALLS)
def install(request: pytest.FixtureRequest, installs: dict[str, Install]) -> Install:
    return installs[request.param]


@pytest.fixture(scope="session")
def probes(installs: dict[str, Install], tmp_path_factory: pytest.TempPathFactory) -> Any:
    cwd = tmp_path_factory.mktemp("probe")

    def probe(install: Install) -> Any:
        done = run([install.python, PROBE], cwd=cwd, env=install.env())
        assert done.returncode == 0, f"{install.name}: probe failed\n{done.stderr}"
        return json.loads(done.stdout)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(installs, pool.map(probe, installs.values()), strict=True))


# -- every install ----------------------------------------------------------------------------


def test_installed_zwobs_is_the_venvs_own_with_the_pyproject_version(
    install: Install, probes: Any
) -> None:
    report = probes[install.name]
    assert report["file"].startswith(str(install.root)), "imported the source tree, not the install"
    assert report["version"] == report["metadata_version"] == VERSION
    assert report["python"] == install.version


def test_every_public_module_imports_or_names_its_missing_extra(
    install: Install, probes: Any
) -> None:
    modules: dict[str, str] = probes[install.name]["modules"]
    assert len(modules) > 50  # the walk found the package
    expected = {
        name: "ok"
        if NEEDS.get(name, "core") in install.extras | {"core"}
        else f"extra:{NEEDS[name]}"
        for name in modules
        if name != NEEDS_PYTEST
    }
    assert {name: modules[name] for name in expected} == expected
    assert modules[NEEDS_PYTEST] == "ModuleNotFoundError: No module named 'pytest'"


def test_each_installed_extra_brings_the_modules_zwobs_imports_for_it(
    install: Install, probes: Any
) -> None:
    found: dict[str, dict[str, bool]] = probes[install.name]["extra_modules"]
    for extra in install.extras:
        assert all(found[extra].values()), f"[{extra}] does not install {found[extra]}"
    for extra in set(found) - install.extras:
        # The extra's first module is its own package: absent unless the extra is installed.
        assert not next(iter(found[extra].values())), f"{extra} present without the extra"


def test_every_command_answers_help_without_error(install: Install, probes: Any) -> None:
    helps: dict[str, dict[str, Any]] = probes[install.name]["helps"]
    assert set(helps) == COMMANDS
    assert {name: (h["code"], h["usage"], h["err"]) for name, h in helps.items()} == {
        name: (0, True, "") for name in COMMANDS
    }


def test_each_extras_runtime_entry_point_works_or_names_the_pip_command(
    install: Install, probes: Any
) -> None:
    for extra, outcome in probes[install.name]["runtime"].items():
        if extra in install.extras:
            assert outcome == "ok", f"{extra}: {outcome}"
        else:
            assert f"pip install 'zwobs[{extra}]'" in outcome, outcome
            assert "\n" not in outcome


def test_version_from_the_script_and_from_python_dash_m(install: Install, tmp_path: Path) -> None:
    assert _zwobs(install, "--version", cwd=tmp_path) == (0, f"zwobs {VERSION}\n", "")
    done = run([install.python, "-m", "zwobs", "--version"], cwd=tmp_path, env=install.env())
    assert (done.returncode, done.stdout, done.stderr) == (0, f"zwobs {VERSION}\n", "")


def test_render_matches_the_committed_files_or_exits_2_naming_the_extra(
    install: Install, tmp_path: Path
) -> None:
    code, out, err = _zwobs(install, "render", CATALOG, "--out", REPO, "--check", cwd=tmp_path)
    if "render" in install.extras:
        assert (code, err) == (0, ""), out
        assert out.startswith("up to date: ")
        return
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "error: rendering dashboards needs the render extra (grafana_foundation_sdk is not"
        f" installed): pip install 'zwobs[render]'; without it: --only {CORE_OUTPUTS}"
    ]
    # The rules for CI need nothing beyond the core.
    code, out, err = _zwobs(
        install, "render", CATALOG, "--out", REPO, "--check", "--only", CORE_OUTPUTS, cwd=tmp_path
    )
    assert (code, err) == (0, "") and out.startswith("up to date: ")


# -- the commands, on the core installs and on [all] --------------------------------------------

SMOKE = [f"py{CURRENT}-{name}" for name in ("wheel-core", "sdist-core", "wheel-all")]


@pytest.fixture(params=SMOKE)
def smoke(request: pytest.FixtureRequest, installs: dict[str, Install]) -> Install:
    return installs[request.param]


def test_validate_and_catalog_schema_run(smoke: Install, tmp_path: Path) -> None:
    code, out, err = _zwobs(smoke, "validate", CATALOG, "--strict", cwd=tmp_path)
    assert (code, err) == (0, "") and out.startswith("ok: "), out
    code, out, err = _zwobs(smoke, "catalog", "schema", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_verify_runs_against_a_stand_in_prometheus(smoke: Install, tmp_path: Path) -> None:
    answers = {
        promql.request_count("user-service", "5m"): 1200.0,
        promql.error_ratio("user-service", "5m"): 0.001,
        promql.latency_quantile(0.95, "user-service", "5m"): 0.12,
    }
    with stand_in_prometheus(answers) as (url, received):
        code, out, err = _zwobs(
            smoke, "verify", "--prometheus", url, "--service", "user-service", cwd=tmp_path
        )
    assert (code, err) == (0, ""), out
    assert out.splitlines()[0].endswith(": PASS")
    assert sorted(received) == sorted(answers)


def test_secrets_check_reads_the_file_provider_and_prints_no_value(
    smoke: Install, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("db:\n  username: users\n  password: s3cr3t-value\n")
    code, out, err = _zwobs(
        smoke, "secrets", "check", "db", "--key", "password", "--file", secrets, cwd=tmp_path
    )
    assert (code, err) == (0, ""), out
    assert out.splitlines()[:2] == [
        f"ok: db from file provider ({secrets})",
        "keys: password, username",
    ]
    assert "s3cr3t-value" not in out


@pytest.mark.parametrize("name", [f"py{CURRENT}-wheel-core", f"py{CURRENT}-wheel-all"])
def test_scan_gates_the_examples_with_the_tests_trivy(
    name: str, installs: dict[str, Install]
) -> None:
    install = installs[name]
    code, out, err = _zwobs(
        install, "scan", "examples", "--trivy", trivy_binary(), "--no-vulns", "--fail-on", "LOW",
        cwd=REPO,
    )  # fmt: skip
    assert code == 0, out + err
    assert "findings: 0" in out
    # both manifests and the Dockerfile were checked by the whole pack (as in tests/scan)
    kubernetes = sum(1 for p in PACK if p.target is Target.KUBERNETES)
    evaluations = 2 * kubernetes + len(PACK) - kubernetes
    assert f"zwobs pack: {len(PACK)} checks, {evaluations} evaluations verified (policies)" in out


def test_every_supported_python_gets_an_install(installs: dict[str, Install]) -> None:
    pythons = {install.version for install in installs.values()}
    if "ZWOBS_PACKAGING_PYTHONS" in os.environ:  # narrowed on purpose (make matrix)
        assert pythons == {CURRENT, *OTHERS}
    else:
        assert pythons == set(SUPPORTED)


# -- the distributions themselves -----------------------------------------------------------


def _package_files() -> set[str]:
    return {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "zwobs").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_wheel_holds_the_package_and_its_data_and_nothing_else(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as wheel:
        names = set(wheel.namelist())
        metadata = Parser().parsestr(wheel.read(f"zwobs-{VERSION}.dist-info/METADATA").decode())
    package = {n for n in names if not n.startswith(f"zwobs-{VERSION}.dist-info/")}
    assert package == _package_files()
    # The policy pack and the catalog schema are built from these modules at run time.
    assert {"zwobs/py.typed", "zwobs/policies/pack.py", "zwobs/catalog/spec.py"} <= package
    assert not {n.split("/")[0] for n in names} & {"tests", "bench", "examples", "scripts"}
    classifiers = set(metadata.get_all("Classifier") or ())
    versions = {c.rsplit(" :: ", 1)[1] for c in classifiers if c.count(".") == 1}
    assert versions == set(SUPPORTED)
    assert metadata["Requires-Python"] == f">={SUPPORTED[0]}"
    assert "Typing :: Typed" in classifiers
    assert set(metadata.get_all("Provides-Extra") or ()) >= set(EXTRA_SETS) - {"core"}


def test_sdist_holds_what_builds_the_wheel_and_no_tests_bench_or_examples(dists: Dists) -> None:
    with tarfile.open(dists.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md"} <= names
    assert _package_files() <= names
    assert not {n.split("/")[0] for n in names} & {"tests", "bench", "examples", "scripts"}


def test_a_consumer_type_checks_strictly_against_the_installed_wheel(
    installs: dict[str, Install], tmp_path: Path
) -> None:
    # Checked from a copy outside the repository: mypy would find the source tree beside it.
    for script in CONSUMER.glob("*.py"):
        (tmp_path / script.name).write_text(script.read_text())
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    mypy += ["--python-executable", str(installs[f"py{CURRENT}-wheel-core"].python)]
    mypy += ["--cache-dir", str(tmp_path / ".mypy")]
    good = run([*mypy, "uses_zwobs.py"], cwd=tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run([*mypy, "misuses_zwobs.py"], cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[:-1] == [
        "misuses_zwobs.py:9: error: Incompatible types in assignment (expression has type"
        ' "str", variable has type "int")  [assignment]',
        "misuses_zwobs.py:10: error: Incompatible types in assignment (expression has type"
        ' "bool", variable has type "str")  [assignment]',
    ]


def test_editable_install_prints_no_setuptools_warning(dists: Dists, tmp_path: Path) -> None:
    # setuptools warns at every editable install of a flat layout it serves through its
    # import hook ("folders with the same name as your package"); package-dir = {"" = "."}
    # lets it use a plain .pth instead (pyproject.toml).
    done = editable_install(dists, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stdout + done.stderr
    (pth,) = (tmp_path / "editable").glob("lib/python*/site-packages/__editable__.zwobs-*.pth")
    assert pth.read_text().strip() == str(dists.source.resolve())
