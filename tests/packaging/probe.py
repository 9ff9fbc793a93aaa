"""Run by the interpreter of an installed zwobs (never with the source tree on sys.path):
import every public module, ask every CLI command for --help, and try each extra's runtime
entry point; print one JSON report for tests/packaging/test_install.py to judge.

Standalone on purpose (stdlib + zwobs only): the virtualenvs it runs in hold no test code.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import pkgutil
import sys
from collections.abc import Callable, Iterator
from importlib import metadata
from importlib.util import find_spec
from typing import Any

import zwobs
from zwobs import cli
from zwobs.extras import EXTRAS


def _outcome(call: Callable[[], object]) -> str:
    """``ok``, ``extra:<name>`` for a MissingExtraError, else the error type and message."""
    try:
        call()
    except zwobs.MissingExtraError as error:
        return f"extra:{error.extra}"
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "ok"


def public_modules() -> dict[str, str]:
    found = {}
    for info in pkgutil.walk_packages(zwobs.__path__, "zwobs."):
        parts = info.name.split(".")
        if info.name == "zwobs.__main__" or any(p.startswith("_") for p in parts):
            continue
        found[info.name] = _outcome(lambda name=info.name: importlib.import_module(name))
    return found


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


def helps() -> dict[str, object]:
    """Every command and subcommand the parser knows, with what --help did."""
    result: dict[str, object] = {}
    for path in _commands(cli._parser(None), ()):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code: object = cli.main([*path, "--help"])
            except SystemExit as exited:
                code = exited.code
        usage = out.getvalue().startswith(f"usage: zwobs{''.join(' ' + p for p in path)}")
        result[" ".join(path) or "(top)"] = {"code": code, "usage": usage, "err": err.getvalue()}
    return result


def runtime() -> dict[str, str]:
    """Each extra's run-time entry point: works, or fails naming ``pip install 'zwobs[X]'``."""
    from zwobs.flags import FlagsClient
    from zwobs.secrets.client import make_backend
    from zwobs.secrets.config import SecretsConfig
    from zwobs.tracing import configure

    vault = SecretsConfig.from_env({"VAULT_ADDR": "http://127.0.0.1:9", "VAULT_TOKEN": "t"})
    return {
        "flags": _outcome(lambda: FlagsClient(url="http://127.0.0.1:9/api", start=False).close()),
        "secrets": _outcome(lambda: make_backend(vault)),
        "tracing": _outcome(configure),
    }


def main() -> None:
    report: dict[str, Any] = {
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "file": zwobs.__file__,
        "version": zwobs.__version__,
        "metadata_version": metadata.version("zwobs"),
        "modules": public_modules(),
        "extra_modules": {
            extra: {module: _found(module) for module in modules}
            for extra, modules in EXTRAS.items()
        },
        "helps": helps(),
        "runtime": runtime(),
    }
    print(json.dumps(report, default=str))


def _found(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


if __name__ == "__main__":
    main()
