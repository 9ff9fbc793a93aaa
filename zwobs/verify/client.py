"""A small Prometheus HTTP API client for instant queries, with retries.

Standard library only: the gate runs in deploy scripts and CI images where
the fewer packages the better. Transient trouble (connection refused, timeouts,
5xx, 429) is retried with backoff; a rejected query (4xx) is not, since asking
again gives the same answer.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from zwobs.lifecycle.schedule import Backoff

__all__ = ["PrometheusClient", "QueryRejectedError", "Sample", "UnreachableError"]


class UnreachableError(Exception):
    """Prometheus did not answer usefully after every retry."""


class QueryRejectedError(Exception):
    """Prometheus answered that the query itself is wrong (bad_data)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One element of an instant vector."""

    labels: dict[str, str]
    value: float


class PrometheusClient:
    """Instant queries against ``base_url`` (``http://host:9090``, path prefix allowed)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        bearer_token: str | None = None,
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"invalid Prometheus URL {base_url!r}: expected http(s)://host:port")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        # The shared schedule without jitter: one gate run retries alone, and its waits are
        # what its log and tests show (backoff, 2x, 4x, ... for each retry).
        self._schedule = Backoff(base=backoff, cap=backoff * 2 ** max(0, self.retries - 1))
        self._sleep = sleep
        self._headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if bearer_token:
            self._headers["Authorization"] = f"Bearer {bearer_token}"

    def __repr__(self) -> str:
        return f"PrometheusClient({self.base_url!r})"  # never the token

    def query(self, promql: str) -> list[Sample]:
        """Evaluate ``promql`` now; a scalar comes back as one sample without labels."""
        body = urllib.parse.urlencode({"query": promql}).encode()
        data = self._post("/api/v1/query", body)
        kind = data.get("resultType")
        result = data.get("result")
        if kind == "vector" and isinstance(result, list):
            return [
                Sample(dict(item.get("metric", {})), _number(item["value"][1])) for item in result
            ]
        if kind == "scalar" and isinstance(result, list):
            return [Sample({}, _number(result[1]))]
        raise QueryRejectedError(f"expected an instant vector, Prometheus returned {kind}")

    def _post(self, path: str, body: bytes) -> dict[str, object]:
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self._schedule.ceiling(attempt))
            request = urllib.request.Request(
                self.base_url + path,
                data=body,
                headers=self._headers,
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    payload = json.load(response)
            except urllib.error.HTTPError as error:
                payload = _error_payload(error)
                if 400 <= error.code < 500 and error.code != 429:
                    raise QueryRejectedError(_describe(payload, error.code)) from None
                last = _describe(payload, error.code)
                continue
            except (urllib.error.URLError, OSError, ValueError) as error:
                last = str(getattr(error, "reason", error))
                continue
            if payload.get("status") == "success" and isinstance(payload.get("data"), dict):
                data: dict[str, object] = payload["data"]
                return data
            last = _describe(payload, 200)
        raise UnreachableError(
            f"Prometheus at {self.base_url} unreachable after {self.retries + 1} attempts: {last}"
        )


def _number(text: object) -> float:
    """Prometheus encodes sample values as strings, including NaN and +Inf."""
    try:
        return float(str(text))
    except ValueError:
        return math.nan


def _error_payload(error: urllib.error.HTTPError) -> dict[str, object]:
    try:
        loaded = json.load(error)
    except (ValueError, OSError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _describe(payload: dict[str, object], code: int) -> str:
    message = payload.get("error") or payload.get("errorType") or "no error message"
    return f"HTTP {code}: {message}"
