"""One conditional GET of ``/api/client/features``, with every failure named by a fixed reason."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

__all__ = ["MAX_BODY", "REASONS", "FetchError", "Fetched", "fetch_features", "post_json"]

REASONS = (
    "timeout",
    "connection",
    "unauthorized",
    "http_error",
    "invalid_payload",
)
"""Every value the ``reason`` label can take (bounded by construction)."""
MAX_BODY = 64 * 1024 * 1024
"""Bytes of an answer read at most: a larger one is refused, not buffered (10,000 flags ~ 3 MB)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A 200 (``body`` set) or a 304 (``body`` None: the state is unchanged)."""

    body: bytes | None
    etag: str | None


class FetchError(Exception):
    """A failed fetch: ``reason`` is one of REASONS, ``detail`` is for humans (never a secret)."""

    def __init__(self, reason: str, detail: str, status: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.status = status
        """The HTTP status when the server answered one (404: no such endpoint)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: following one would send the Unleash token to another host."""

    def redirect_request(  # noqa: PLR0917 (urllib's signature)
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None  # the 3xx then surfaces as an HTTPError ("http_error")


_opener = urllib.request.build_opener(_NoRedirect)


def fetch_features(
    url: str, headers: Mapping[str, str], etag: str | None, timeout: float
) -> Fetched:
    """GET ``url``; ``timeout`` bounds the connect and every read (a black hole costs one)."""
    request = urllib.request.Request(url, headers=dict(headers), method="GET")
    if etag:
        request.add_header("If-None-Match", etag)
    try:
        with _opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                raise FetchError("invalid_payload", f"answer larger than {MAX_BODY} bytes")
            return Fetched(body=body, etag=response.headers.get("ETag"))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(body=None, etag=etag)
        if exc.code in (401, 403):
            raise FetchError(
                "unauthorized",
                f"HTTP {exc.code} from the Unleash server: check UNLEASH_API_TOKEN "
                "(a backend token for this environment)",
                exc.code,
            ) from None
        detail = f"HTTP {exc.code} from the Unleash server"
        raise FetchError("http_error", detail, exc.code) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError("timeout", f"no answer within {timeout:g}s") from None
        raise FetchError("connection", f"cannot reach the Unleash server: {exc.reason}") from None
    except TimeoutError:
        raise FetchError("timeout", f"no answer within {timeout:g}s") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchError("connection", f"cannot reach the Unleash server: {exc}") from None


def post_json(url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> None:
    """POST ``body`` (JSON); FetchError on anything but a 2xx."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(MAX_BODY)  # drained, bounded: nothing of it is used
    except urllib.error.HTTPError as exc:
        reason = "unauthorized" if exc.code in (401, 403) else "http_error"
        raise FetchError(reason, f"HTTP {exc.code} from the Unleash server") from None
    except TimeoutError:
        raise FetchError("timeout", f"no answer within {timeout:g}s") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchError("connection", f"cannot reach the Unleash server: {exc}") from None
