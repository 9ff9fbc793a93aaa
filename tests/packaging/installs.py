"""Build zwobs's sdist and wheel once, and install them the way users do: a fresh virtualenv
per (Python, distribution, extra), ``pip install 'zwobs[extra]'``, nothing from the source tree.

The virtualenvs are filled by the test interpreter's pip (``pip --python``). What zwobs[all]
and its build need is downloaded once per Python into a wheelhouse under .cache/packaging,
named by a hash of the requirements and that Python, so later runs install offline
(``--no-index``) and a changed requirement gets a new wheelhouse. Installs run 3 at a time.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EXTRA_SETS",
    "REPO",
    "SUPPORTED",
    "Dists",
    "Install",
    "build_dists",
    "editable_install",
    "find_python",
    "install_all",
    "run",
]

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache" / "packaging"
_PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
SUPPORTED = ("3.11", "3.12", "3.13")
"""The Pythons zwobs supports (pyproject's classifiers and requires-python say the same)."""
EXTRA_SETS = ("core", "render", "flags", "secrets", "tracing", "all")
"""How users install zwobs: the core, each runtime extra, and everything."""
# What the sdist and wheel are built from; nothing else of the repository may be needed.
_SOURCES = ("pyproject.toml", "README.md", "MANIFEST.in", "zwobs")


@dataclass(frozen=True)
class Dists:
    source: Path  # the copy of the sources they were built from
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class Install:
    """One virtualenv holding an installed zwobs."""

    version: str  # "3.12"
    dist: str  # "wheel" or "sdist"
    extra: str  # one of EXTRA_SETS
    root: Path

    @property
    def name(self) -> str:
        return install_name(self.version, self.dist, self.extra)

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def extras(self) -> frozenset[str]:
        """The extras this install brings (``all`` means every one, openfeature included)."""
        if self.extra == "all":
            (everything,) = _PYPROJECT["project"]["optional-dependencies"]["all"]
            return frozenset(everything.partition("[")[2].rstrip("]").split(","))
        return frozenset() if self.extra == "core" else frozenset({self.extra})

    def env(self) -> dict[str, str]:
        """A user's environment: the venv first on PATH, no source tree, no Vault."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VAULT_"))}
        keep.pop("VIRTUAL_ENV", None)
        keep["PATH"] = f"{self.root / 'bin'}{os.pathsep}{keep.get('PATH', '')}"
        return keep


def install_name(version: str, dist: str, extra: str) -> str:
    return f"py{version}-{dist}-{extra}"


def find_python(version: str) -> str:
    """The interpreter for ``version``: the running one, pyenv's, or ``pythonX.Y`` on PATH."""
    if version == f"{sys.version_info.major}.{sys.version_info.minor}":
        return sys.executable
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(
        root.glob(f"versions/{version}.*/bin/python{version}"),
        key=lambda p: [int(part) for part in p.parts[-3].split(".") if part.isdigit()],
    )
    if found:
        return str(found[-1])
    on_path = shutil.which(f"python{version}")
    if on_path and run([on_path, "-c", ""], cwd=REPO).returncode == 0:
        return on_path
    raise AssertionError(f"Python {version} not found (pyenv versions or python{version} on PATH)")


def run(
    command: Sequence[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def _checked(done: subprocess.CompletedProcess[str], what: str) -> None:
    if done.returncode != 0:
        raise AssertionError(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def build_dists(workdir: Path) -> Dists:
    """The sdist from a copy of the sources, then the wheel from that sdist (as `build` does)."""
    source = workdir / "source"
    source.mkdir()
    for name in _SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    out = workdir / "dist"
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source]
    _checked(run(command, cwd=workdir), "python -m build")
    (sdist,) = out.glob("zwobs-*.tar.gz")
    (wheel,) = out.glob("zwobs-*.whl")
    return Dists(source=source, sdist=sdist, wheel=wheel)


def _pip(python: Path, *args: str | Path) -> list[str | Path]:
    quiet = ["--quiet", "--disable-pip-version-check"]
    return [sys.executable, "-m", "pip", "--python", python, *args, *quiet]


def _venv(interpreter: str, root: Path) -> Path:
    _checked(run([interpreter, "-m", "venv", "--without-pip", root], cwd=root.parent), "venv")
    return root / "bin" / "python"


def wheelhouse(dists: Dists, interpreter: str, workdir: Path) -> Path:
    """Every wheel zwobs[all] and its build need on ``interpreter``, downloaded once."""
    with zipfile.ZipFile(dists.wheel) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        requires = [line for line in wheel.read(name).decode().splitlines() if "Requires" in line]
    build = _PYPROJECT["build-system"]["requires"]
    probe = run([interpreter, "-c", "import sys; print(sys.version)"], cwd=workdir).stdout
    key = "\n".join([*requires, *build, probe, platform.machine()])
    house = CACHE / f"wheels-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    if (house / ".complete").is_file():
        return house
    filling = workdir / f"wheelhouse-{house.name}"
    python = _venv(interpreter, workdir / f"download-{house.name}")
    download = _pip(python, "download", "--dest", filling, "--cache-dir", CACHE / "pip")
    _checked(run([*download, f"{dists.wheel}[all]", *build], cwd=workdir, timeout=900), "download")
    for own in filling.glob("zwobs-*"):
        own.unlink()
    (filling / ".complete").touch()
    staging = CACHE / f"{house.name}.{os.getpid()}"
    shutil.copytree(filling, staging)
    try:
        staging.rename(house)  # atomic: a wheelhouse is complete or absent
    except OSError:  # a concurrent run filled it first
        shutil.rmtree(staging)
    return house


def editable_install(dists: Dists, workdir: Path) -> subprocess.CompletedProcess[str]:
    """``pip install -e`` of the source copy into a fresh venv, as a contributor runs it."""
    interpreter = find_python(f"{sys.version_info.major}.{sys.version_info.minor}")
    house = wheelhouse(dists, interpreter, workdir)
    python = _venv(interpreter, workdir / "editable")
    offline = ["--no-index", "--find-links", house, "--no-deps", "--no-cache-dir"]
    return run([*_pip(python, "install", *offline, "-e", dists.source)], cwd=workdir)


def _install(dists: Dists, version: str, dist: str, extra: str, workdir: Path) -> Install:
    interpreter = find_python(version)
    house = wheelhouse(dists, interpreter, workdir)
    install = Install(version, dist, extra, workdir / install_name(version, dist, extra))
    _venv(interpreter, install.root)
    archive = dists.wheel if dist == "wheel" else dists.sdist
    requirement = str(archive) if extra == "core" else f"{archive}[{extra}]"
    offline = ["--no-index", "--find-links", house, "--no-compile", "--no-cache-dir"]
    command = _pip(install.python, "install", *offline, requirement)
    _checked(run(command, cwd=workdir, timeout=600), f"pip install {install.name}")
    return install


def install_all(dists: Dists, plan: Iterable[tuple[str, str, str]], workdir: Path) -> list[Install]:
    """Install every (Python, dist, extra) of ``plan`` into its own fresh virtualenv."""
    plan = list(plan)
    for version in dict.fromkeys(version for version, _, _ in plan):  # downloads first, in order
        wheelhouse(dists, find_python(version), workdir)
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(_install, dists, *entry, workdir) for entry in plan]
        return [future.result() for future in futures]
