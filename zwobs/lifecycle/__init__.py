"""The lifecycle kernel of the runtime parts: what flags, secrets and verify share.

* ``schedule``: one backoff with jitter, one renewal rule (renew at 2/3 of a TTL, stop
  renewing once a grant comes back capped), one set of constants;
* ``forks``: objects that need new locks and threads in a forked child;
* ``singleton``: the process-wide instance built on first use;
* ``families``: metric families declared once per Prometheus registry.
"""

from __future__ import annotations

__all__: list[str] = []
