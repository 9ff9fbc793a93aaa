"""Run the Trivy binary (never through a shell) and return its JSON report.

Fail closed: a missing or too-old binary, a crash, a timeout or output that is not a
Trivy JSON report all raise :class:`ScanError` (exit code 2), never an empty result
that would pass the gate.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .text import clean

__all__ = [
    "MIN_VERSION",
    "ScanError",
    "Trivy",
    "find_trivy",
    "has_vuln_db",
]

MIN_VERSION = (0, 50, 0)
"""Oldest Trivy whose flags (``--check-namespaces``, ``--config-check``) zwobs relies on."""

ENV_VAR = "ZWOBS_TRIVY"


class ScanError(Exception):
    """The scan could not run or its result cannot be trusted; the message is for the user."""


def _parse_version(text: str) -> tuple[int, ...]:
    core = text.strip().lstrip("v").split("-")[0]
    try:
        return tuple(int(part) for part in core.split(".")[:3])
    except ValueError:
        raise ScanError(f"cannot read the Trivy version from {text!r}") from None


def find_trivy(explicit: str | None = None) -> str:
    """The Trivy binary: ``explicit`` (--trivy), else ``$ZWOBS_TRIVY``, else ``trivy`` on PATH."""
    for source, candidate in (("--trivy", explicit), (ENV_VAR, os.environ.get(ENV_VAR))):
        if candidate:
            path = Path(candidate)
            if path.is_file() and os.access(path, os.X_OK):
                return str(path.resolve())
            found = shutil.which(candidate)
            if found:
                return found
            raise ScanError(f"Trivy binary from {source} not found or not executable: {candidate}")
    found = shutil.which("trivy")
    if found is None:
        raise ScanError(
            "Trivy not found: install it (https://trivy.dev), put `trivy` on PATH, or pass "
            f"--trivy PATH / set {ENV_VAR}; `make servers` installs one under .cache/bin/"
        )
    return found


def has_vuln_db(cache_dir: Path | None = None) -> bool:
    """True when Trivy's vulnerability database is in the cache (it cannot be fetched offline)."""
    root = cache_dir or Path(os.environ.get("TRIVY_CACHE_DIR", Path.home() / ".cache" / "trivy"))
    return (root / "db" / "trivy.db").is_file()


GOGC = "400"
"""Go's garbage collector target for scans, unless GOGC is set: check evaluation allocates
heavily, and 400 instead of Go's 100 cuts Trivy's CPU time by about a quarter for about
twice the memory (measured on 300 manifests: 19.9 -> 14.8 s CPU, 394 -> 740 MB)."""


def _scan_env() -> dict[str, str]:
    return {**os.environ, "GOGC": os.environ.get("GOGC", GOGC)}


@dataclass(frozen=True, slots=True)
class Trivy:
    """A located, version-checked Trivy binary."""

    binary: str
    version: tuple[int, ...]
    timeout: float = 300.0

    @classmethod
    def locate(cls, explicit: str | None = None, timeout: float = 300.0) -> Trivy:
        """Find the binary and refuse versions older than :data:`MIN_VERSION`."""
        binary = find_trivy(explicit)
        output = cls._exec([binary, "--version", "--format", "json"], timeout=60.0, what="version")
        try:
            version_text = str(json.loads(output)["Version"])
        except (ValueError, KeyError, TypeError):
            raise ScanError(f"{binary} --version gave no version; is it Trivy?") from None
        version = _parse_version(version_text)
        if version < MIN_VERSION:
            minimum = ".".join(map(str, MIN_VERSION))
            raise ScanError(
                f"Trivy {version_text} at {binary} is too old: zwobs needs >= {minimum}"
            )
        return cls(binary=binary, version=version, timeout=timeout)

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))

    @staticmethod
    def _exec(argv: Sequence[str], *, timeout: float, what: str) -> str:
        return Trivy._run(argv, timeout=timeout, what=what)[0]

    @staticmethod
    def _run(
        argv: Sequence[str], *, timeout: float, what: str, env: dict[str, str] | None = None
    ) -> tuple[str, str]:
        try:
            completed = subprocess.run(
                list(argv),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except subprocess.TimeoutExpired:
            raise ScanError(f"Trivy {what} timed out after {timeout:g}s (failing closed)") from None
        except OSError as exc:
            raise ScanError(f"cannot run Trivy ({argv[0]}): {exc.strerror}") from None
        if completed.returncode != 0:
            tail = "\n".join(clean(completed.stderr).strip().splitlines()[-15:])
            raise ScanError(
                f"Trivy {what} failed with exit code {completed.returncode} "
                f"(failing closed):\n{tail}"
            )
        return completed.stdout, completed.stderr

    def scan(
        self,
        command: str,
        target: str,
        *,
        scanners: Sequence[str],
        checks_dir: Path | None = None,
        data_dir: Path | None = None,
        namespace: str = "zwobs",
        extra: Sequence[str] = (),
    ) -> dict[str, Any]:
        """``trivy COMMAND TARGET`` offline, as a parsed JSON report.

        Successes are included so the caller can prove the custom checks ran.
        """
        return self.scan_logged(
            command,
            target,
            scanners=scanners,
            checks_dir=checks_dir,
            data_dir=data_dir,
            namespace=namespace,
            extra=extra,
        )[0]

    def scan_logged(
        self,
        command: str,
        target: str,
        *,
        scanners: Sequence[str],
        checks_dir: Path | None = None,
        data_dir: Path | None = None,
        namespace: str = "zwobs",
        extra: Sequence[str] = (),
    ) -> tuple[dict[str, Any], list[str]]:
        """:meth:`scan`, plus Trivy's ERROR and WARN log lines (a file Trivy failed to
        parse is only ever said there)."""
        with tempfile.TemporaryDirectory(prefix="zwobs-trivy-") as tmp:
            report = Path(tmp) / "report.json"
            argv = [
                self.binary,
                command,
                "--scanners",
                ",".join(scanners),
                "--format",
                "json",
                "--output",
                str(report),
                "--exit-code",
                "0",
                "--no-progress",
                "--skip-db-update",
                "--skip-check-update",
                "--timeout",
                f"{max(int(self.timeout), 1)}s",
            ]
            if "misconfig" in scanners:
                argv.append("--include-non-failures")
                if checks_dir is not None:
                    argv += ["--config-check", str(checks_dir), "--check-namespaces", namespace]
                if data_dir is not None:
                    argv += ["--config-data", str(data_dir)]
            argv += [*extra, target]
            _, stderr = self._run(
                argv, timeout=self.timeout * 1.1 + 1, what=f"{command} {target}", env=_scan_env()
            )
            try:
                data = json.loads(report.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ScanError(
                    f"Trivy wrote no readable JSON report for {target}: {exc}"
                ) from None
        if not isinstance(data, dict) or "SchemaVersion" not in data:
            raise ScanError(f"Trivy's output for {target} is not a Trivy JSON report")
        log = [
            clean(line).strip()
            for line in stderr.splitlines()
            if "\tERROR\t" in line or "\tWARN\t" in line
        ]
        return data, log
