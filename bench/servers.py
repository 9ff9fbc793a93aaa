"""ASGI apps for ``bench/middleware.py --uvicorn``: the bench app bare and instrumented."""

from __future__ import annotations

import zwobs
from bench.app import build_app

bare = build_app()
zwobs_app = zwobs.instrument(build_app(), service="bench")
