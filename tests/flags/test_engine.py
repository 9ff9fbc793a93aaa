"""Without the ``flags`` extra: importing works, on/off works, the rest says what to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

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
