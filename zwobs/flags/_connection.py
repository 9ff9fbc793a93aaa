"""Who this client is to the Unleash server, and the requests it sends there.

Unleash identifies a client by app name, instance and connection ids (per process: a
forked child is a new instance) and authenticates it by the backend token. Every request
goes through ``_fetch`` (no redirects, one timeout, failures named by a fixed reason).
"""

from __future__ import annotations

import os
import socket
import urllib.parse
import uuid
from collections.abc import Mapping

from zwobs.flags._fetch import Fetched, fetch_features, post_json
from zwobs.version import VERSION

__all__ = ["SDK", "Connection"]

SDK = f"zwobs:{VERSION}"


class Connection:
    """The base URL, token and identity of one client; ``renew_identity`` after a fork."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None,
        app_name: str,
        project: str | None,
        headers: Mapping[str, str],
        timeout: float,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._app_name = app_name
        self._project = project
        self._extra = dict(headers)
        self.timeout = timeout
        self.renew_identity()

    def renew_identity(self) -> None:
        """A new instance and connection id: Unleash counts a forked child as its own instance."""
        self.instance_id = f"{socket.gethostname()}-{os.getpid()}"
        self.connection_id = str(uuid.uuid4())

    def headers(self) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "User-Agent": f"zwobs/{SDK.split(':')[1]}",
            "UNLEASH-APPNAME": self._app_name,
            "UNLEASH-INSTANCEID": self.instance_id,
            "UNLEASH-CONNECTION-ID": self.connection_id,
            "UNLEASH-SDK": SDK,
            **self._extra,
        }
        if self._token:
            headers["Authorization"] = self._token
        return headers

    def _client_url(self, endpoint: str) -> str:
        url = f"{self.url}/client/{endpoint}"
        if not self._project:
            return url
        return f"{url}?{urllib.parse.urlencode({'project': self._project})}"

    def features_url(self) -> str:
        return self._client_url("features")

    def delta_url(self) -> str:
        return self._client_url("delta")

    def get(self, url: str, etag: str | None) -> Fetched:
        """A conditional GET (``etag``: If-None-Match); FetchError on any failure."""
        return fetch_features(url, self.headers(), etag, self.timeout)

    def post(self, endpoint: str, body: bytes) -> None:
        """POST JSON to ``/client/<endpoint>``; FetchError on anything but a 2xx."""
        post_json(f"{self.url}/client/{endpoint}", self.headers(), body, self.timeout)
