"""``python -m zwobs``: the ``zwobs`` command where its script is not on PATH."""

from __future__ import annotations

import sys

from zwobs.cli import main

sys.exit(main())
