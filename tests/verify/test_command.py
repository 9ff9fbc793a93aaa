"""``zwobs verify`` option handling: bad options are usage errors (exit 2) with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers.process import free_port
from tests.verify.standin import Answer, StandIn, standin, vector
from zwobs.cli import main

__all__ = ["standin"]  # the fixture


def _verify(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    url = f"http://127.0.0.1:{free_port()}"
    code = main(["verify", "--prometheus", url, "--service", "svc", "--retries", "0", *extra])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--window", "five minutes"], "--window 'five minutes': expected a Prometheus duration"),
        (["--max-error-ratio", "5"], "--max-error-ratio 5: expected 0..1"),
        (["--quantile", "95"], "--quantile 95: expected a number between 0 and 1"),
        (["--max-latency", "-1"], "--max-latency -1: expected seconds >= 0"),
        (["--selector", "v2"], "invalid selector 'v2': expected LABEL=VALUE"),
        (["--location", "us-east-1"], "--location 'us-east-1': expected LABEL=VALUE such as"),
        (["--location", "region=~us-.*"], "--location 'region=~us-.*': expected LABEL=VALUE"),
        (["--location", "region="], "--location 'region=': expected LABEL=VALUE"),
    ],
)
def test_bad_option_is_a_usage_error_with_the_option_named(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code, out, err = _verify(capsys, *extra)
    assert code == 2
    assert message in err
    assert out == "" and "Traceback" not in err


def test_bad_prometheus_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--prometheus", "localhost:9090", "--service", "svc"])
    assert code == 2
    assert "invalid Prometheus URL" in capsys.readouterr().err


def test_missing_service_option_is_an_argparse_usage_error() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["verify", "--prometheus", "http://127.0.0.1:1"])
    assert exited.value.code == 2


def test_unreachable_prometheus_is_inconclusive_with_exit_3(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _verify(capsys)
    assert code == 3
    assert out.splitlines()[0].endswith(": INCONCLUSIVE")
    assert "unreachable after 1 attempts" in out


def test_unreadable_token_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _verify(capsys, "--bearer-token-file", str(tmp_path / "missing"))
    assert code == 2
    assert "--bearer-token-file" in err and "cannot read it" in err


def test_empty_token_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "token").write_text("\n")
    code, _, err = _verify(capsys, "--bearer-token-file", str(tmp_path / "token"))
    assert code == 2 and "the file is empty" in err


def _gate(
    standin: StandIn, capsys: pytest.CaptureFixture[str], *answers: Answer
) -> tuple[int, str, str]:
    standin.script += answers
    code = main(
        [
            "verify",
            "--prometheus",
            standin.url,
            "--service",
            "svc",
            "--retries",
            "0",
            "--max-latency",
            "0",
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(body=b"<html>proxy login</html>", content_type="text/html"), "is not JSON"),
        (Answer(body=b'{"status":"success","data":{"resultType":"vec'), "is truncated JSON"),
        (
            Answer(body={"status": "success", "data": {"resultType": "vector", "result": [{}]}}),
            'data.result[0].value: expected [time, "number"]',
        ),
        (Answer(body=vector("100", "7")), "request count query returned 2 series"),
    ],
)
def test_an_answer_the_gate_cannot_interpret_is_inconclusive_exit_3_never_fail(
    standin: StandIn, capsys: pytest.CaptureFixture[str], answer: Answer, message: str
) -> None:
    code, out, err = _gate(standin, capsys, answer)
    assert code == 3, out + err
    assert out.splitlines()[0].endswith(": INCONCLUSIVE")
    assert "answer not understood" in out and message in out
    assert "Traceback" not in err


def test_a_measured_failure_is_exit_1(standin: StandIn, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _gate(standin, capsys, Answer(body=vector("100")), Answer(body=vector("0.5")))
    assert code == 1
    assert "error ratio 50.00% above 5.00%" in out


def test_a_service_name_with_control_characters_is_echoed_escaped(
    standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.script += [Answer(body=vector("100")), Answer(body=vector("0"))]
    args = ["verify", "--prometheus", standin.url, "--retries", "0", "--max-latency", "0"]
    assert main([*args, "--service", "svc\nzwobs verify svc: PASS\x1b[2J"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "zwobs verify svc\\nzwobs verify svc: PASS\\x1b[2J over 5m: PASS"
