"""Secret values that cannot leak by accident: repr, str, format and pickling never show them."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

from zwobs.secrets.errors import SecretNotFoundError

__all__ = ["REDACTED", "SecretData", "SecretValue"]

REDACTED = "**********"
"""What a secret looks like wherever it is printed, logged or formatted."""


class SecretValue:
    """One secret string; ``reveal()`` is the only way to read it.

    Not a ``str`` subclass on purpose: a subclass would leak through
    concatenation, ``%s`` formatting and every API that copies strings.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself; call it at the point of use, never to log."""
        return self._value

    def __repr__(self) -> str:
        return f"SecretValue('{REDACTED}')"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SecretValue):
            return hmac.compare_digest(self._value.encode(), other._value.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash((SecretValue, self._value))

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a SecretValue cannot be pickled (it would leave the process unredacted)")


def to_secret(value: Any) -> SecretValue:
    """Wrap one value from a secret store; non-strings keep their JSON-ish text."""
    if isinstance(value, SecretValue):
        return value
    if isinstance(value, str):
        return SecretValue(value)
    if isinstance(value, bool):
        return SecretValue("true" if value else "false")
    if value is None:
        return SecretValue("")
    if isinstance(value, int | float):
        return SecretValue(str(value))
    return SecretValue(json.dumps(value, sort_keys=True, separators=(",", ":")))


class SecretData(Mapping[str, SecretValue]):
    """The keys of one secret path (one version); repr shows key names only."""

    __slots__ = ("_items", "path", "version")

    def __init__(self, path: str, items: Mapping[str, Any], version: int | None = None) -> None:
        self.path = path
        self.version = version
        self._items: dict[str, SecretValue] = {str(k): to_secret(v) for k, v in items.items()}

    def __getitem__(self, key: str) -> SecretValue:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def reveal(self) -> dict[str, str]:
        """All keys with their secret values, for handing to a library that wants a dict."""
        return {k: v.reveal() for k, v in self._items.items()}

    def __repr__(self) -> str:
        keys = ", ".join(sorted(self._items))
        return f"SecretData(path={self.path!r}, version={self.version!r}, keys=[{keys}])"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("SecretData cannot be pickled (it would leave the process unredacted)")


def pick(data: SecretData, key: str | None) -> SecretData | SecretValue:
    """All of ``data`` or its ``key``; a missing key names the keys there are, not values."""
    if key is None:
        return data
    try:
        return data[key]
    except KeyError:
        keys = ", ".join(sorted(data)) or "none"
        raise SecretNotFoundError(
            f"secret {data.path!r} has no key {key!r} (keys: {keys})"
        ) from None
