"""A service's code against the installed zwobs: must pass ``mypy --strict`` (py.typed)."""

from __future__ import annotations

from starlette.applications import Starlette

import zwobs
from zwobs import flags, secrets
from zwobs.secrets import SecretValue
from zwobs.version import VERSION

app: Starlette = zwobs.instrument(Starlette(), service="consumer")
password: SecretValue = secrets.get("db", "password")
enabled: bool = flags.is_enabled("new-checkout", user_id="u1")
version: str = zwobs.__version__
same: bool = version == VERSION
missing: type[ImportError] = zwobs.MissingExtraError
