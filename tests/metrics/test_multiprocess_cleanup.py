"""A worker that dies mid-request stops counting as in progress once marked dead."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


def _in_progress(metrics_dir: Path) -> str:
    code = textwrap.dedent(
        """
        from prometheus_client import CollectorRegistry
        from prometheus_client.multiprocess import MultiProcessCollector
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        print(registry.get_sample_value(
            "http_requests_in_progress", {"service": "svc", "method": "GET"}))
        """
    )
    return _run(code, metrics_dir).strip()


def _run(code: str, metrics_dir: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout


def _worker_died_mid_request(metrics_dir: Path) -> int:
    """A real process starts a request and exits without finishing it; returns its PID."""
    worker = textwrap.dedent(
        """
        import os
        from zwobs.metrics.families import http_metrics
        http_metrics().in_progress.labels("svc", "GET").inc()
        print(os.getpid())
        """
    )
    pid = int(_run(worker, metrics_dir))
    assert _in_progress(metrics_dir) == "1.0"
    return pid


def test_dead_worker_in_progress_is_forgotten(tmp_path: Path) -> None:
    pid = _worker_died_mid_request(tmp_path)

    forget = f"from zwobs.metrics.multiprocess import mark_worker_dead; mark_worker_dead({pid})"
    _run(forget, tmp_path)
    assert _in_progress(tmp_path) in ("None", "0.0")


def test_gunicorn_hook_marks_the_exiting_worker(tmp_path: Path) -> None:
    pid = _worker_died_mid_request(tmp_path)
    # gunicorn passes its Worker object; the hook reads only its pid.
    hook = textwrap.dedent(
        f"""
        from types import SimpleNamespace
        from zwobs.metrics.multiprocess import child_exit
        child_exit(server=None, worker=SimpleNamespace(pid={pid}))
        """
    )
    _run(hook, tmp_path)
    assert _in_progress(tmp_path) in ("None", "0.0")
