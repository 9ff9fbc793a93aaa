"""The OpenTelemetry ``feature_flag.evaluation`` span event (semantic conventions)."""

from __future__ import annotations

from opentelemetry import trace

__all__ = ["PROVIDER_NAME", "record_evaluation"]

PROVIDER_NAME = "zwobs-unleash"


def record_evaluation(key: str, variant: str, value: bool | str | None, reason: str) -> None:
    """Add the event to the current span when it records (a no-op span costs one call)."""
    span = trace.get_current_span()
    if not span.is_recording():
        return
    attributes: dict[str, str | bool] = {
        "feature_flag.key": key,
        "feature_flag.provider.name": PROVIDER_NAME,
        "feature_flag.result.variant": variant,
        "feature_flag.result.reason": reason,
    }
    if isinstance(value, bool):
        attributes["feature_flag.result.value"] = value
    span.add_event("feature_flag.evaluation", attributes)
