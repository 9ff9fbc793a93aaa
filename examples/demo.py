"""``make demo``: render the example catalog, then serve the instrumented user-service.

Everything runs from embedded defaults (flags from a bootstrap file, secrets
from a local file): no external server is needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import uvicorn

from zwobs.cli import main as zwobs_cli

_ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", int(os.environ.get("DEMO_PORT", "8000"))


def main() -> int:
    out = _ROOT / "out"
    catalog = _ROOT / "examples" / "catalog.yaml"
    print(f"== zwobs render {catalog.relative_to(_ROOT)} --out {out.relative_to(_ROOT)}")
    code = zwobs_cli(["render", str(catalog), "--out", str(out)])
    if code != 0:
        return code
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        print(f"   {folder.relative_to(_ROOT)}/: {files} files")
    print(
        f"\n== user-service on http://{HOST}:{PORT}  (Ctrl-C stops it)\n"
        f"   curl http://{HOST}:{PORT}/v1/users/me\n"
        f"   curl 'http://{HOST}:{PORT}/v1/users/2?fail=1'      # an injected 503\n"
        f"   curl http://{HOST}:{PORT}/metrics                  # Prometheus text format\n"
        f"   curl -H 'Accept: application/openmetrics-text; version=1.0.0' "
        f"http://{HOST}:{PORT}/metrics\n"
    )
    sys.stdout.flush()
    # log_config=None: the app's JSON logging already routes uvicorn's loggers.
    uvicorn.run("examples.user_service:app", host=HOST, port=PORT, log_config=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
