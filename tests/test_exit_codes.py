"""The README's exit-code table is true: every documented code of every command is driven.

The table ("Commands and exit codes") is parsed, so a code documented without a case here,
or a case for a code the README does not document, fails. Stand-ins: a scripted loopback
HTTP server for Prometheus (tests/verify/standin.py); Trivy, promtool-free renders and the
file secrets provider are the real things.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.policies.conftest import DATA as POLICY_DATA
from tests.scan.conftest import pack_dir, trivy
from tests.servers.process import free_port
from tests.verify.standin import Answer, StandIn, standin, vector
from zwobs.cli import main

__all__ = ["pack_dir", "standin", "trivy"]  # fixtures, requested by name

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "catalog.yaml")
ONE = "services:\n  - {name: a, team: t, tier: 1}\n"


def _table() -> dict[str, set[int]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("### Commands and exit codes", 1)[1].split("\n### ", 1)[0]
    rows: dict[str, set[int]] = {}
    for line in section.splitlines():
        if line.startswith("| `zwobs"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            command = cells[0].strip("`")
            rows[command] = {int(c) for c in re.findall(r"(?:^|, )([0-3]) ", cells[-1])}
    return rows


class Case:
    """What one driver needs: a scratch directory and, lazily, the servers of its command."""

    def __init__(self, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.request, self.tmp = request, tmp_path

    def file(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text)
        return str(path)

    def rendered(self) -> str:
        out = self.tmp / "out"
        assert main(["render", self.file("c.yaml", ONE), "--out", str(out)]) == 0
        return str(out)

    def in_the_way(self) -> str:
        out = self.tmp / "out"
        (out / "alerts").mkdir(parents=True)
        (out / "alerts" / "a.rules.yaml").write_text("# mine\n")
        return str(out)

    def standin(self, *answers: Answer) -> str:
        server: StandIn = self.request.getfixturevalue("standin")
        server.script += answers
        return server.url

    def scan(self, *args: str) -> int:
        trivy: str = self.request.getfixturevalue("trivy")
        pack: Path = self.request.getfixturevalue("pack_dir")
        return main(["scan", *args, "--policies", str(pack), "--trivy", trivy, "--no-vulns"])

    def secrets(self, *args: str, env: dict[str, str] | None = None) -> int:
        patch: pytest.MonkeyPatch = self.request.getfixturevalue("monkeypatch")
        for name in ("VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE"):
            patch.delenv(name, raising=False)
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        store = self.file("s.yaml", "db:\n  password: x\n")
        return main(["secrets", "check", "db", "--file", store, *args])


def _verify(case: Case, url: str, *extra: str) -> int:
    args = ["verify", "--prometheus", url, "--service", "svc", "--retries", "0"]
    return main([*args, "--max-latency", "0", *extra])


DRIVERS: dict[str, dict[int, Callable[[Case], int]]] = {
    "zwobs validate CATALOG...": {
        0: lambda c: main(["validate", EXAMPLE]),
        1: lambda c: main(["validate", "--strict", c.file("c.yaml", ONE)]),
        2: lambda c: main(["validate", "/dev/null"]),
    },
    "zwobs render CATALOG... --out DIR": {
        0: lambda c: main(["render", EXAMPLE, "--out", str(c.tmp / "out")]),
        2: lambda c: main(["render", c.file("c.yaml", ONE), "--out", c.in_the_way()]),
    },
    "zwobs render ... --check": {
        0: lambda c: main(["render", c.file("c.yaml", ONE), "--out", c.rendered(), "--check"]),
        1: lambda c: main(["render", EXAMPLE, "--out", c.rendered(), "--check"]),
        2: lambda c: main(["render", c.file("e.yaml", "# empty\n"), "--check"]),
    },
    "zwobs render ... --dry-run": {
        0: lambda c: main(["render", EXAMPLE, "--out", c.rendered(), "--dry-run"]),
        2: lambda c: main(["render", c.file("c.yaml", ONE), "--out", c.in_the_way(), "--diff"]),
    },
    "zwobs render ... --layer edge\\|global\\|all": {
        0: lambda c: main(["render", EXAMPLE, "--out", str(c.tmp / "out"), "--layer", "edge"]),
        2: lambda c: main(
            ["render", "/dev/null", "--out", str(c.tmp / "out"), "--layer", "global"]
        ),
    },
    "zwobs render ... --dashboards templated\\|per-service": {
        0: lambda c: main(
            ["render", EXAMPLE, "--out", str(c.tmp / "out"), "--dashboards", "templated"]
        ),
        2: lambda c: main(
            ["render", "/dev/null", "--out", str(c.tmp / "out"), "--dashboards", "per-service"]
        ),
    },
    "zwobs catalog schema [--out F]": {
        0: lambda c: main(["catalog", "schema", "--out", str(c.tmp / "schema.json")]),
        2: lambda c: main(["catalog", "schema", "--out", c.file("f", "") + "/schema.json"]),
    },
    "zwobs verify --prometheus URL --service NAME": {
        0: lambda c: _verify(c, c.standin(Answer(body=vector("100")), Answer(body=vector("0")))),
        1: lambda c: _verify(c, c.standin(Answer(body=vector("100")), Answer(body=vector("1")))),
        2: lambda c: _verify(c, "http://127.0.0.1:1", "--window", "five minutes"),
        3: lambda c: _verify(c, f"http://127.0.0.1:{free_port()}"),
    },
    "zwobs scan PATH...": {
        0: lambda c: c.scan(str(POLICY_DATA / "manifests" / "good")),
        1: lambda c: c.scan(str(POLICY_DATA / "manifests" / "bad" / "batch.yaml")),
        2: lambda c: c.scan(str(c.tmp / "no-such-dir")),
    },
    "zwobs secrets check PATH": {
        0: lambda c: c.secrets("--key", "password"),
        2: lambda c: c.secrets("--key", "no-such-key"),
        3: lambda c: c.secrets(
            env={"VAULT_ADDR": f"http://127.0.0.1:{free_port()}", "VAULT_TOKEN": "t"}
        ),
    },
}


def test_every_documented_code_has_a_case_and_every_case_is_documented() -> None:
    documented = _table()
    assert documented, "the README table was not found"
    assert {cmd: set(codes) for cmd, codes in DRIVERS.items()} == documented


@pytest.mark.parametrize(
    ("command", "code"),
    [(command, code) for command, codes in DRIVERS.items() for code in sorted(codes)],
)
def test_each_command_answers_each_documented_code(
    command: str,
    code: int,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    got = DRIVERS[command][code](Case(request, tmp_path))
    _, err = capsys.readouterr()
    assert got == code, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["render"],
        ["validate"],
        ["catalog"],
        ["verify"],
        ["scan", "--fail-on", "NOPE"],
        ["secrets"],
        [],
    ],
)
def test_a_usage_error_of_the_argument_parser_is_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def _broken(*args: object, **kwargs: object) -> None:
    raise TypeError("a bug")


@pytest.mark.parametrize(
    ("target", "argv", "code"),
    [
        ("zwobs.render.command.render_all", ["render", EXAMPLE, "--check"], 2),
        ("zwobs.verify.command.run", ["verify", "--prometheus", "http://x:1", "--service", "s"], 3),
    ],
)
def test_an_internal_error_never_exits_1_which_means_drift_or_fail(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
    argv: list[str],
    code: int,
) -> None:
    monkeypatch.setattr(target, _broken)
    assert main(argv) == code
    assert "zwobs: internal error (TypeError), a bug in zwobs" in capsys.readouterr().err
