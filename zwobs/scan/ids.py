"""Check ids normalised across Trivy versions: KSV018, KSV-0018 and AVD-KSV-0018 are one check."""

from __future__ import annotations

import re

__all__ = ["normalise_id", "same_check"]

_NUMBERED = re.compile(r"^(?:AVD-)?([A-Z]{2,6})-?0*(\d{1,5})$")


def normalise_id(check_id: str) -> str:
    """The canonical spelling: ``PREFIX-NNNN`` for Trivy's numbered checks (``KSV-0018``),
    upper case for everything else (``ZW-K8S-001``, ``CVE-2024-1234``); secret rule ids
    (``aws-access-key-id``) stay as they are."""
    text = check_id.strip()
    match = _NUMBERED.match(text.upper())
    if match:
        return f"{match.group(1)}-{int(match.group(2)):04d}"
    if any(ch.isupper() for ch in text) or text.upper().startswith(("CVE-", "GHSA-", "ZW-")):
        return text.upper()
    return text


def same_check(a: str, b: str) -> bool:
    """True when two spellings name the same check."""
    return normalise_id(a) == normalise_id(b)
