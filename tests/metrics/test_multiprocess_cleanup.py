"""Only live workers count in live gauges: real processes die, reuse PIDs, get marked dead."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from zwobs.metrics.multiprocess import forget_dead_workers


def _run(code: str, metrics_dir: Path, **env: str) -> str:
    full_env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), **env}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


_READ = """
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
registry = CollectorRegistry()
MultiProcessCollector(registry)
for metric in registry.collect():
    for s in metric.samples:
        if s.name in ("http_requests_in_progress", "zwobs_build_info") and s.value:
            print(s.name, s.labels.get("version", s.labels.get("method")), s.value)
"""


def _live(metrics_dir: Path) -> set[str]:
    """The live-gauge samples the directory aggregates to, as ``name label value`` lines."""
    return set(_run(_READ, metrics_dir).splitlines())


def _age(metrics_dir: Path) -> None:
    """Files written long ago, as after a crash (scrapes spare files younger than 2 s)."""
    old = time.time() - 60
    for file in metrics_dir.iterdir():
        os.utime(file, (old, old))


def _worker_died_mid_request(metrics_dir: Path) -> int:
    """A real process starts a request and exits without finishing it; returns its PID."""
    code = """
        import os
        from zwobs.metrics.families import http_metrics
        http_metrics().in_progress.labels("svc", "GET").inc()
        print(os.getpid())
    """
    pid = int(_run(code, metrics_dir))
    assert _live(metrics_dir) == {"http_requests_in_progress GET 1.0"}
    return pid


def test_a_dead_workers_in_progress_is_forgotten_without_any_hook(tmp_path: Path) -> None:
    _worker_died_mid_request(tmp_path)
    _age(tmp_path)
    removed = forget_dead_workers(tmp_path)
    assert [file.name.startswith("gauge_livesum_") for file in removed] == [True]
    assert _live(tmp_path) == set()


def test_a_file_younger_than_the_grace_is_left_for_a_worker_still_starting(
    tmp_path: Path,
) -> None:
    _worker_died_mid_request(tmp_path)
    assert forget_dead_workers(tmp_path) == []


@pytest.fixture
def live_worker(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A live process that set its build info and keeps its files open until stopped."""
    code = """
        import os, sys
        from zwobs.metrics.families import http_metrics
        http_metrics().build_info.labels("svc", "v-live", "c").set(1)
        print(os.getpid(), flush=True)
        sys.stdin.read()
    """
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert int(process.stdout.readline()) == process.pid
    yield process, tmp_path
    process.stdin.close()  # type: ignore[union-attr]
    process.wait(10)


def test_a_live_workers_files_are_kept_however_old(
    live_worker: tuple[subprocess.Popen[str], Path],
) -> None:
    _, metrics_dir = live_worker
    _age(metrics_dir)
    assert forget_dead_workers(metrics_dir) == []
    assert _live(metrics_dir) == {"zwobs_build_info v-live 1.0"}


_WRITE_AS = """
import os
from prometheus_client import values
values.ValueClass = values.MultiProcessValue(lambda: int(os.environ["AS_PID"]))
from zwobs.metrics.families import http_metrics
http_metrics().build_info.labels("svc", "v-previous-run", "c").set(1)
"""


def test_a_reused_pid_does_not_keep_the_previous_owners_build_info(
    live_worker: tuple[subprocess.Popen[str], Path],
) -> None:
    """A previous run's worker had the PID a live process has now (containers reuse PIDs)."""
    process, metrics_dir = live_worker
    stale = metrics_dir / f"gauge_livemax_{process.pid}.db"
    stale.unlink()  # the live process keeps its (now nameless) file open
    _run(_WRITE_AS, metrics_dir, AS_PID=str(process.pid))
    assert _live(metrics_dir) == {"zwobs_build_info v-previous-run 1.0"}
    _age(metrics_dir)
    assert forget_dead_workers(metrics_dir) == [stale]
    assert _live(metrics_dir) == set()


def test_a_worker_starting_under_a_reused_pid_drops_what_the_previous_owner_left(
    tmp_path: Path,
) -> None:
    previous_run = tmp_path / "previous"
    previous_run.mkdir()
    _run(_WRITE_AS, previous_run, AS_PID="1")
    code = """
        import os, shutil, sys
        from pathlib import Path
        directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        shutil.copy(Path(sys.argv[1]) / "gauge_livemax_1.db",
                    directory / f"gauge_livemax_{os.getpid()}.db")
        from starlette.applications import Starlette
        import zwobs
        zwobs.instrument(Starlette(), service="svc", version="v-now", commit="c")
    """
    full_env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), str(previous_run)],
        env=full_env,
        check=True,
        timeout=60,
    )
    assert _live(tmp_path) == {"zwobs_build_info v-now 1.0"}


def test_gunicorn_child_exit_hook_still_marks_the_exiting_worker(tmp_path: Path) -> None:
    pid = _worker_died_mid_request(tmp_path)
    # gunicorn passes its Worker object; the hook reads only its pid.
    hook = f"""
        from types import SimpleNamespace
        from zwobs.metrics.multiprocess import child_exit
        child_exit(server=None, worker=SimpleNamespace(pid={pid}))
    """
    _run(hook, tmp_path)
    assert _live(tmp_path) == set()
