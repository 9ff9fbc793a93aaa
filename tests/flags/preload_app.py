"""A WSGI app for the gunicorn --preload test: the flags client is created in the master."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from zwobs import flags

client = flags.configure()  # UNLEASH_URL etc. from the environment, before the workers fork
client.wait_until_ready(30)


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = json.dumps({"pid": os.getpid(), "on": flags.is_enabled("it_preload")}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
