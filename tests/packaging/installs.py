"""Build zwobs's sdist and wheel once, and install them the way users do: a fresh virtualenv
per (distribution, extra), ``pip install 'zwobs[extra]'``, nothing from the source tree.

Virtualenvs are made with the interpreter running the tests (so ``make matrix`` covers each
supported Python) and filled by that interpreter's pip (``pip --python``). What zwobs[all]
and the build need is downloaded once into a wheelhouse under .cache/packaging, named by a
hash of the requirements and the Python, so later runs install offline (``--no-index``) and
a changed requirement gets a new wheelhouse; installs run a few at a time.
"""

from __future__ import annotations

import contextlib
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

__all__ = ["EXTRA_SETS", "REPO", "Dists", "Install", "build_dists", "install_all", "run"]

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache" / "packaging"
EXTRA_SETS = ("core", "render", "flags", "secrets", "tracing", "all")
"""How users install zwobs: the core, each runtime extra, and everything."""
# What the sdist and wheel are built from; nothing else of the repository may be needed.
_SOURCES = ("pyproject.toml", "README.md", "MANIFEST.in", "zwobs")


@dataclass(frozen=True)
class Dists:
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class Install:
    """One virtualenv holding an installed zwobs."""

    dist: str  # "wheel" or "sdist"
    extra: str  # one of EXTRA_SETS
    root: Path

    @property
    def name(self) -> str:
        return f"{self.dist}-{self.extra}"

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def extras(self) -> frozenset[str]:
        """The extras this install brings (``all`` means every one, openfeature included)."""
        if self.extra == "all":
            return frozenset({"render", "flags", "openfeature", "secrets", "tracing"})
        return frozenset() if self.extra == "core" else frozenset({self.extra})

    def env(self) -> dict[str, str]:
        """A user's environment: the venv first on PATH, no source tree, no Vault."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VAULT_"))}
        keep.pop("VIRTUAL_ENV", None)
        keep["PATH"] = f"{self.root / 'bin'}{os.pathsep}{keep.get('PATH', '')}"
        return keep


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
    return Dists(sdist=sdist, wheel=wheel)


def _pip(*args: str | Path) -> list[str | Path]:
    return [sys.executable, "-m", "pip", *args, "--quiet", "--disable-pip-version-check"]


def wheelhouse(dists: Dists, workdir: Path) -> Path:
    """Every wheel zwobs[all] and its build need on this Python, downloaded once."""
    with zipfile.ZipFile(dists.wheel) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        requires = [line for line in wheel.read(name).decode().splitlines() if "Requires" in line]
    build_requires = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]
    key = "\n".join([*requires, *build_requires["requires"], sys.version, platform.machine()])
    house = CACHE / f"wheels-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    if (house / ".complete").is_file():
        return house
    filling = workdir / "wheelhouse"
    download = _pip("download", "--dest", filling, "--cache-dir", CACHE / "pip")
    _checked(
        run(
            [*download, f"{dists.wheel}[all]", *build_requires["requires"]],
            cwd=workdir,
            timeout=900,
        ),
        "pip download",
    )
    for own in filling.glob("zwobs-*"):
        own.unlink()
    (filling / ".complete").touch()
    CACHE.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # a concurrent run may have filled it first
        shutil.copytree(filling, house)
    return house


def _install(dists: Dists, house: Path, dist: str, extra: str, workdir: Path) -> Install:
    install = Install(dist, extra, workdir / f"{dist}-{extra}")
    _checked(
        run([sys.executable, "-m", "venv", "--without-pip", install.root], cwd=workdir), "venv"
    )
    archive = dists.wheel if dist == "wheel" else dists.sdist
    requirement = str(archive) if extra == "core" else f"{archive}[{extra}]"
    offline = ["--no-index", "--find-links", house, "--no-compile", "--no-cache-dir"]
    command = _pip("--python", install.python, "install", *offline, requirement)
    _checked(run(command, cwd=workdir, timeout=600), f"pip install {dist} [{extra}]")
    return install


def install_all(dists: Dists, plan: Iterable[tuple[str, str]], workdir: Path) -> list[Install]:
    """Install every (dist, extra) of ``plan`` into its own fresh virtualenv, 3 at a time."""
    house = wheelhouse(dists, workdir)
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(_install, dists, house, d, e, workdir) for d, e in plan]
        return [future.result() for future in futures]
