"""Unleash payloads shared by the flags tests: every evaluation feature the engine knows."""

from __future__ import annotations

from typing import Any

RICH: dict[str, Any] = {
    "version": 2,
    "segments": [
        {"id": 1, "constraints": [
            {"contextName": "plan", "operator": "IN", "values": ["pro", "team"]}]},
    ],
    "features": [
        {"name": "simple_on", "enabled": True,
         "strategies": [{"name": "default", "parameters": {}}]},
        {"name": "simple_off", "enabled": False,
         "strategies": [{"name": "default", "parameters": {}}]},
        {"name": "no_strategies", "enabled": True, "strategies": []},
        {"name": "rollout_user", "enabled": True, "strategies": [
            {"name": "flexibleRollout",
             "parameters": {"rollout": "37", "stickiness": "userId", "groupId": "g1"}}]},
        {"name": "rollout_session", "enabled": True, "strategies": [
            {"name": "flexibleRollout",
             "parameters": {"rollout": "50", "stickiness": "sessionId", "groupId": "g2"}}]},
        {"name": "rollout_full_default", "enabled": True, "strategies": [
            {"name": "flexibleRollout",
             "parameters": {"rollout": "100", "stickiness": "default", "groupId": "g3"}}]},
        {"name": "constrained", "enabled": True, "strategies": [
            {"name": "flexibleRollout",
             "parameters": {"rollout": "60", "stickiness": "userId", "groupId": "g4"},
             "constraints": [
                 {"contextName": "environment", "operator": "IN", "values": ["production"]},
                 {"contextName": "age", "operator": "NUM_GT", "value": "17"},
                 {"contextName": "email", "operator": "STR_ENDS_WITH",
                  "values": ["@example.com"], "caseInsensitive": True},
             ]}]},
        {"name": "after_date", "enabled": True, "strategies": [
            {"name": "default", "parameters": {}, "constraints": [
                {"contextName": "currentTime", "operator": "DATE_AFTER",
                 "value": "2025-01-01T00:00:00.000Z"}]}]},
        {"name": "segmented", "enabled": True, "strategies": [
            {"name": "default", "parameters": {}, "segments": [1]}]},
        {"name": "by_address", "enabled": True, "strategies": [
            {"name": "remoteAddress", "parameters": {"IPs": "10.0.0.0/8"}}]},
        {"name": "by_user_id", "enabled": True, "strategies": [
            {"name": "userWithId", "parameters": {"userIds": "u1,u7,u42"}}]},
        {"name": "variants", "enabled": True,
         "strategies": [{"name": "default", "parameters": {}}],
         "variants": [
             {"name": "red", "weight": 300, "weightType": "variable", "stickiness": "userId",
              "payload": {"type": "string", "value": "#f00"}},
             {"name": "blue", "weight": 700, "weightType": "variable", "stickiness": "userId",
              "payload": {"type": "json", "value": "{\"shade\": 3}"}},
         ]},
        {"name": "strategy_variants", "enabled": True, "strategies": [
            {"name": "flexibleRollout",
             "parameters": {"rollout": "80", "stickiness": "userId", "groupId": "g5"},
             "variants": [
                 {"name": "ten", "weight": 500, "weightType": "variable", "stickiness": "userId",
                  "payload": {"type": "number", "value": "10"}},
                 {"name": "twenty", "weight": 500, "weightType": "variable",
                  "stickiness": "userId", "payload": {"type": "number", "value": "20"}},
             ]}]},
        {"name": "child", "enabled": True, "strategies": [{"name": "default"}],
         "dependencies": [{"feature": "rollout_user"}]},
    ],
}  # fmt: skip


def contexts(count: int) -> list[dict[str, Any]]:
    """A spread of contexts: users, sessions, addresses, properties, some fields missing."""
    out: list[dict[str, Any]] = []
    for i in range(count):
        ctx: dict[str, Any] = {"environment": "production" if i % 3 else "staging"}
        if i % 5:
            ctx["userId"] = f"u{i}"
        if i % 2:
            ctx["sessionId"] = f"s{i * 7}"
        ctx["remoteAddress"] = f"10.0.{i % 256}.1" if i % 4 else f"192.168.0.{i % 256}"
        ctx["properties"] = {
            "age": str(10 + i % 20),
            "email": f"user{i}@{'EXAMPLE.com' if i % 2 else 'other.org'}",
            "plan": ["free", "pro", "team"][i % 3],
        }
        out.append(ctx)
    return out
