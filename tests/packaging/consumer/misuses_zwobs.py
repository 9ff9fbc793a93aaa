"""Wrong types against the installed zwobs: ``mypy --strict`` must reject each (proves the
installed package's annotations are read, not treated as Any)."""

from __future__ import annotations

from zwobs import flags
from zwobs.version import VERSION

as_int: int = VERSION
as_str: str = flags.is_enabled("new-checkout")
