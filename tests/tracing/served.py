"""The test user-service set up as a real service process would be (uvicorn in a subprocess)."""

from __future__ import annotations

from tests.tracing.apps import user_service
from zwobs.tracing import configure, setup_logging

setup_logging("user-service")
configure("user-service")
app, _ = user_service()
