"""An OpenFeature provider with zwobs underneath (the ``openfeature`` extra).

    from openfeature import api
    from zwobs.flags.openfeature import ZwobsProvider
    api.set_provider(ZwobsProvider())

A flag the state does not know resolves to the caller's default with
``FLAG_NOT_FOUND`` (the community Unleash provider reports TARGETING_MATCH).
Booleans are ``is_enabled``; strings, numbers and objects are the payload of the
resolved variant. The targeting key is Unleash's ``userId``; attributes named
like Unleash context fields go there, the rest into ``properties``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from zwobs.extras import missing_extra

try:
    from openfeature.evaluation_context import EvaluationContext
    from openfeature.exception import ErrorCode
    from openfeature.flag_evaluation import FlagResolutionDetails, FlagValueType, Reason
    from openfeature.provider import AbstractProvider, Metadata
except ModuleNotFoundError as _missing:
    raise missing_extra(_missing, "openfeature", "the OpenFeature provider") from None

from zwobs.flags import _overrides
from zwobs.flags._client import FlagsClient
from zwobs.flags._otel import PROVIDER_NAME
from zwobs.flags._process import client as process_client

__all__ = ["ZwobsProvider"]

T = TypeVar("T")
ObjectValue = Sequence[FlagValueType] | Mapping[str, FlagValueType]


def _unleash_context(context: EvaluationContext | None) -> dict[str, Any] | None:
    if context is None:
        return None
    out: dict[str, Any] = dict(context.attributes)
    if context.targeting_key:
        out["userId"] = context.targeting_key
    return out


class ZwobsProvider(AbstractProvider):
    """OpenFeature provider over a FlagsClient (the process-wide one unless given)."""

    def __init__(self, client: FlagsClient | None = None) -> None:
        super().__init__()
        self._client = client

    def _flags(self) -> FlagsClient:
        return self._client if self._client is not None else process_client()

    def get_metadata(self) -> Metadata:
        return Metadata(name=PROVIDER_NAME)

    def _not_found(self, key: str, default: T) -> FlagResolutionDetails[T]:
        return FlagResolutionDetails(
            value=default,
            reason=Reason.ERROR,
            error_code=ErrorCode.FLAG_NOT_FOUND,
            error_message=f"flag {key!r} is not defined",
        )

    def _reason(self, flags: FlagsClient, key: str) -> Reason:
        if key in _overrides.forced:
            return Reason.STATIC
        constant = flags._state.constants.get(key)
        if constant is False:
            return Reason.DISABLED
        if constant is True:
            return Reason.STATIC
        return Reason.TARGETING_MATCH

    def resolve_boolean_details(
        self,
        flag_key: str,
        default_value: bool,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[bool]:
        flags = self._flags()
        if not flags.known(flag_key):
            return self._not_found(flag_key, default_value)
        value = flags.is_enabled(
            flag_key, default_value, context=_unleash_context(evaluation_context)
        )
        return FlagResolutionDetails(
            value=value, reason=self._reason(flags, flag_key), variant=str(value).lower()
        )

    def _payload(
        self,
        flag_key: str,
        default_value: T,
        context: EvaluationContext | None,
        convert: Callable[[str], T],
    ) -> FlagResolutionDetails[T]:
        flags = self._flags()
        if not flags.known(flag_key):
            return self._not_found(flag_key, default_value)
        variant = flags.get_variant(flag_key, context=_unleash_context(context))
        if not variant.enabled or variant.payload is None:
            reason = Reason.DISABLED if not variant.feature_enabled else Reason.DEFAULT
            return FlagResolutionDetails(value=default_value, reason=reason, variant=variant.name)
        try:
            value = convert(variant.payload)
        except (ValueError, TypeError):
            return FlagResolutionDetails(
                value=default_value,
                reason=Reason.ERROR,
                error_code=ErrorCode.TYPE_MISMATCH,
                error_message=f"flag {flag_key!r}: payload of variant {variant.name!r} "
                f"is not of the requested type",
                variant=variant.name,
            )
        return FlagResolutionDetails(
            value=value, reason=Reason.TARGETING_MATCH, variant=variant.name
        )

    def resolve_string_details(
        self, flag_key: str, default_value: str, evaluation_context: EvaluationContext | None = None
    ) -> FlagResolutionDetails[str]:
        return self._payload(flag_key, default_value, evaluation_context, str)

    def resolve_integer_details(
        self, flag_key: str, default_value: int, evaluation_context: EvaluationContext | None = None
    ) -> FlagResolutionDetails[int]:
        return self._payload(flag_key, default_value, evaluation_context, int)

    def resolve_float_details(
        self,
        flag_key: str,
        default_value: float,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[float]:
        return self._payload(flag_key, default_value, evaluation_context, float)

    def resolve_object_details(
        self,
        flag_key: str,
        default_value: ObjectValue,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[ObjectValue]:
        def parse(text: str) -> ObjectValue:
            value = json.loads(text)
            if not isinstance(value, dict | list):
                raise TypeError("not an object")
            return value

        return self._payload(flag_key, default_value, evaluation_context, parse)
