"""The engine: its public fallback answers like its private paths; without the ``flags``
extra, importing works, on/off works, the rest says what to install."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.flags.specification import INSTALL, SPEC_CASES, specifications
from zwobs.flags._engine import Engine
from zwobs.flags._state import build_state
from zwobs.flags.bootstrap import payload_from_mapping

ROOT = Path(__file__).resolve().parents[2]

_BLOCK = """
import sys
sys.modules["yggdrasil_engine"] = None      # as if UnleashClient were not installed
sys.modules["yggdrasil_engine.engine"] = None
sys.modules["UnleashClient"] = None
"""


def _run(body: str) -> subprocess.CompletedProcess[str]:
    code = _BLOCK + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_import_and_on_off_bootstrap_work_without_the_extra() -> None:
    result = _run("""
        from zwobs import flags
        from zwobs.flags.testing import override
        flags.configure(bootstrap={"a": "on", "b": "off"})
        assert flags.is_enabled("a") and not flags.is_enabled("b")
        assert flags.get_variant("a").feature_enabled
        with override(c=True):
            assert flags.is_enabled("c")
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_rollout_without_the_extra_names_the_flag_and_the_extra() -> None:
    result = _run("""
        from zwobs import flags
        try:
            flags.configure(bootstrap={"a": "on", "b": "25%"})
        except flags.FlagsUnavailableError as exc:
            print(exc)
    """)
    assert result.returncode == 0, result.stderr
    assert "flag 'b' needs the Unleash engine" in result.stdout
    assert "pip install 'zwobs[flags]'" in result.stdout


def test_server_backed_client_without_the_extra_says_what_to_install() -> None:
    result = _run("""
        from zwobs import flags
        try:
            flags.FlagsClient(url="http://127.0.0.1:9/api")
        except flags.FlagsUnavailableError as exc:
            print(exc)
    """)
    assert result.returncode == 0, result.stderr
    assert "server-backed flags client needs the 'flags' extra" in result.stdout


def test_the_public_engine_fallback_answers_like_the_private_paths_on_the_whole_spec() -> None:
    """The engine's private single-call methods are an optimisation zwobs may lose with any
    yggdrasil release: the public fallback is forced here and must give the same answers on
    every case of the Unleash specification."""
    specs = specifications()
    assert specs, INSTALL
    compared = 0
    for spec in specs:
        state = build_state(payload_from_mapping(spec["state"]), origin="spec", source="bootstrap")
        raw = json.dumps(state.payload)
        fast = Engine(raw, spec["name"])
        public = Engine(raw, spec["name"], private_paths=False)
        assert fast._check_enabled is not None and public._check_enabled is None
        for case in spec.get("tests", []):
            name, context = case["toggleName"], case["context"]
            assert public.is_enabled(name, context) == fast.is_enabled(name, context), case
            compared += 1
        for case in spec.get("variantTests", []):
            name, context = case["toggleName"], case["context"]
            assert public.variant(name, context) == fast.variant(name, context), case
            compared += 1
    assert compared == SPEC_CASES
