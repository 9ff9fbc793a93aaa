"""A real Prometheus (Debian package) on a free loopback port, for scrape and rule tests."""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from tests.servers.process import ServerProcess, free_port, http_ok, wait_until

__all__ = ["Prometheus", "promtool", "start_prometheus"]


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"{name} not found on PATH: run `make test` (scripts/install-prometheus.sh)"
        )
    return path


def promtool() -> str:
    return _binary("promtool")


class Prometheus:
    """A running Prometheus and a thin client of its HTTP API."""

    def __init__(self, process: ServerProcess, port: int, config_path: Path) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.config_path = config_path

    def api(self, path: str, **params: str) -> Any:
        """GET /api/v1/<path>; returns ``data`` and raises on an API error."""
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}?{query}", timeout=10) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise RuntimeError(f"Prometheus API error for {path}: {body}")
        return body["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        data = self.api("query", query=promql)
        result: list[dict[str, Any]] = data["result"]
        return result

    def wait_for(self, promql: str, *, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Poll ``promql`` until it returns a non-empty vector."""
        found: list[list[dict[str, Any]]] = []

        def has_data() -> bool:
            result = self.query(promql)
            if result:
                found.append(result)
            return bool(result)

        wait_until(has_data, timeout=timeout, what=f"data for {promql}")
        return found[-1]

    def reload(self) -> None:
        request = urllib.request.Request(f"{self.url}/-/reload", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self) -> None:
        self.process.stop()


def start_prometheus(
    workdir: Path,
    *,
    scrape_targets: Sequence[str] = (),
    rule_files: Sequence[Path] = (),
    alertmanager: str | None = None,
    interval: str = "1s",
    external_labels: Mapping[str, str] | None = None,
    remote_write: Sequence[Mapping[str, Any]] = (),
    flags: Sequence[str] = (),
) -> Prometheus:
    """Start Prometheus scraping ``scrape_targets`` (host:port) every ``interval``; optionally
    with external labels, ``remote_write`` entries and extra command-line ``flags``."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config: dict[str, Any] = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [
            {"job_name": "zwobs", "static_configs": [{"targets": list(scrape_targets)}]}
        ],
    }
    if external_labels:
        config["global"]["external_labels"] = dict(external_labels)
    if remote_write:
        config["remote_write"] = [dict(entry) for entry in remote_write]
    if alertmanager:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
    config_path = workdir / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config))
    process = ServerProcess(
        [
            _binary("prometheus"),
            f"--config.file={config_path}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-lifecycle",
            "--rules.alert.resend-delay=1s",
            "--log.level=warn",
            *flags,
        ],
        log=workdir / "prometheus.log",
    )
    try:
        process.wait_ready(lambda: http_ok(f"http://127.0.0.1:{port}/-/ready"), timeout=30)
    except Exception:
        process.stop()
        raise
    return Prometheus(process, port, config_path)
