"""OpenTelemetry server spans, outgoing propagation, set-up and correlated logs."""
