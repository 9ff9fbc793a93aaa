"""The demo service plus one route that evaluates a feature flag and reads a secret.

The live dashboard proof wants data in the feature-flag and secret rows too;
examples/user_service.py need not use those parts, so the live tests serve this
wrapper (flags from examples/flags.yaml, secrets from a file: no servers).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from examples.user_service import create_app
from zwobs import flags, secrets

app = create_app()


async def feature(request: Request) -> Response:
    user = request.query_params.get("user", "1")
    enabled = flags.is_enabled("new_chat_ui", user_id=user)
    greeting = flags.get_variant("profile_greeting", user_id=user)
    secrets.get("db", "password")  # read for its metrics only; never returned
    return JSONResponse({"new_chat_ui": enabled, "greeting": greeting.name})


app.add_route("/live/feature", feature)  # outside the /v1 mount, which 404s the rest
