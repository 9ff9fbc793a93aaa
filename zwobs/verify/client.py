"""A small Prometheus HTTP API client for instant queries, with retries.

Standard library only: the gate runs in deploy scripts and CI images where
the fewer packages the better. Transient trouble (connection refused, timeouts,
5xx, 429, a cut or garbled answer) is retried with backoff; a rejected query
(a 4xx with a Prometheus error body) is not, since asking again gives the same answer.
Every answer is checked against the API's shape before a number is taken from it:
an HTML page, truncated JSON or a result of the wrong shape is an
:class:`InvalidResponseError` that says what was wrong, never a traceback or a guess.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from zwobs.lifecycle.schedule import Backoff
from zwobs.printable import printable

__all__ = [
    "MAX_ANSWER_BYTES",
    "InvalidResponseError",
    "PrometheusClient",
    "QueryRejectedError",
    "Sample",
    "UnreachableError",
]

MAX_ANSWER_BYTES: Final = 16 * 1024 * 1024
"""The gate's answers are a few hundred bytes; anything past this is not one."""


class UnreachableError(Exception):
    """Prometheus did not answer after every retry."""


class InvalidResponseError(Exception):
    """Something answered, but not with a Prometheus API answer the gate can interpret
    (HTML, truncated JSON, a result of the wrong shape); the message says what was wrong."""


class QueryRejectedError(Exception):
    """Prometheus answered that the request itself is wrong (bad_data, not authorised)."""


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
        if "@" in parsed.netloc:
            # urllib would not send them, and every message would print them.
            raise ValueError(
                "credentials in the Prometheus URL are not supported (they would be printed):"
                " use a bearer token file"
            )
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            shown = printable(repr(base_url))
            raise ValueError(f"invalid Prometheus URL {shown}: expected http(s)://host:port")
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
        return _samples(self._post("/api/v1/query", body))

    def _post(self, path: str, body: bytes) -> dict[str, object]:
        last = ""
        invalid = False
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
                    kind = response.headers.get("Content-Type", "")
                    declared = response.headers.get("Content-Length", "")
                    raw = response.read(MAX_ANSWER_BYTES + 1)
            except urllib.error.HTTPError as error:
                payload = _error_payload(error)
                if error.code in (401, 403):
                    raise QueryRejectedError(
                        f"HTTP {error.code}: not authorised (check --bearer-token-file)"
                    ) from None
                if 400 <= error.code < 500 and error.code != 429 and "status" in payload:
                    raise QueryRejectedError(_describe(payload, error.code)) from None
                last, invalid = _describe(payload, error.code), 400 <= error.code < 500
                continue
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
                last, invalid = printable(str(getattr(error, "reason", error))), False
                continue
            if declared.isdigit() and len(raw) < int(declared):
                last, invalid = f"answer cut after {len(raw)} of {declared} bytes", False
                continue
            try:
                return _data(raw, kind)
            except InvalidResponseError as error:
                last, invalid = str(error), True
        attempts = f"after {self.retries + 1} attempts"
        if invalid:
            raise InvalidResponseError(
                f"Prometheus at {self.base_url} gave no usable answer {attempts}: {last}"
            )
        raise UnreachableError(f"Prometheus at {self.base_url} unreachable {attempts}: {last}")


def _snippet(value: object) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else repr(value)
    return printable(text[:80] + ("..." if len(text) > 80 else ""))


def _data(raw: bytes, content_type: str) -> dict[str, object]:
    """The ``data`` of a successful API answer; InvalidResponseError for anything else."""
    kind = printable(content_type.split(";", maxsplit=1)[0].strip() or "no content type")
    if len(raw) > MAX_ANSWER_BYTES:
        raise InvalidResponseError(f"HTTP 200 answer larger than {MAX_ANSWER_BYTES} bytes")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as error:
        what = "truncated JSON" if raw.lstrip()[:1] in (b"{", b"[") else "not JSON"
        raise InvalidResponseError(
            f"HTTP 200 {kind} is {what} ({error}), starting '{_snippet(raw)}';"
            " is --prometheus the Prometheus base URL?"
        ) from None
    if not isinstance(payload, dict) or payload.get("status") != "success":
        raise InvalidResponseError(
            f"HTTP 200 answer is not a Prometheus success: {_snippet(payload)}"
        )
    data = payload.get("data")
    if not isinstance(data, dict):
        raise InvalidResponseError(f"data: expected an object, got {_snippet(data)}")
    return data


def _samples(data: dict[str, object]) -> list[Sample]:
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return [Sample({}, _value(result, "data.result"))]
    if kind != "vector":
        raise InvalidResponseError(
            f"data.resultType: expected vector or scalar, got {_snippet(kind)}"
        )
    if not isinstance(result, list):
        raise InvalidResponseError(f"data.result: expected a list, got {_snippet(result)}")
    samples: list[Sample] = []
    for index, item in enumerate(result):
        where = f"data.result[{index}]"
        metric = item.get("metric", {}) if isinstance(item, dict) else None
        if not isinstance(metric, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metric.items()
        ):
            raise InvalidResponseError(
                f"{where}: expected {{metric: {{label: value}}, value: [time, number]}},"
                f" got {_snippet(item)}"
            )
        samples.append(Sample(dict(metric), _value(item.get("value"), f"{where}.value")))
    return samples


def _value(pair: object, where: str) -> float:
    """Prometheus encodes sample values as strings, including NaN and +Inf."""
    if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], str):
        try:
            return float(pair[1])
        except ValueError:
            pass
    raise InvalidResponseError(f'{where}: expected [time, "number"], got {_snippet(pair)}')


def _error_payload(error: urllib.error.HTTPError) -> dict[str, object]:
    try:
        loaded = json.loads(error.read(MAX_ANSWER_BYTES))
    except (ValueError, RecursionError, OSError, http.client.HTTPException):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _describe(payload: dict[str, object], code: int) -> str:
    message = payload.get("error") or payload.get("errorType")
    if message is None:
        return f"HTTP {code}, not a Prometheus API answer"
    return f"HTTP {code}: {printable(str(message))}"
