"""zwobs.extras: a missing extra becomes one ImportError naming it; anything else stays as it is."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from zwobs.extras import EXTRAS, MissingExtraError, missing_extra

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@pytest.mark.parametrize(
    ("extra", "module"),
    [(extra, module) for extra, modules in EXTRAS.items() for module in modules],
)
def test_a_module_of_the_extra_names_the_extra_and_the_pip_command(extra: str, module: str) -> None:
    error = missing_extra(ModuleNotFoundError(name=f"{module}.sub"), extra, "this feature")
    assert isinstance(error, MissingExtraError) and isinstance(error, ImportError)
    assert error.extra == extra and error.name == module
    assert str(error) == (
        f"this feature needs the {extra} extra ({module} is not installed):"
        f" pip install 'zwobs[{extra}]'"
    )


@pytest.mark.parametrize("name", ["grafana", "grafana_foundation_sdkx", "yaml", None])
def test_a_module_outside_the_extra_keeps_its_own_error(name: str | None) -> None:
    # A bug (or another missing dependency) must not be blamed on the extra.
    error = ModuleNotFoundError(name=name)
    assert missing_extra(error, "render", "rendering dashboards") is error


def test_every_extra_of_pyproject_is_known_and_nothing_else() -> None:
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    assert set(EXTRAS) == set(extras) - {"all", "dev"}
    (everything,) = extras["all"]  # "zwobs[a,b,...]": [all] brings every extra
    assert set(everything.partition("[")[2].rstrip("]").split(",")) == set(EXTRAS)
