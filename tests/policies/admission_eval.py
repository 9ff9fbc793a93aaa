"""Evaluate a rendered ValidatingAdmissionPolicy outside a cluster, with cel-expr-python.

Only what the zwobs pack uses is implemented: matchConstraints by kind, matchConditions,
variables (in order), validations with messageExpression. The pack's CEL uses no
Kubernetes-specific library (no quantity/url/...), so nothing needs shimming beyond the
optional and string extensions cel-expr-python ships.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext.ext_optional import ExtOptional
from cel_expr_python.ext.ext_strings import ExtStrings

from zwobs.policies.admission import RESOURCES

__all__ = ["AdmissionPolicy", "Violation"]

_ENV = cel.NewEnv(
    variables={"object": cel.Type.DYN, "variables": cel.Type.DYN},
    extensions=[ExtOptional(), ExtStrings()],
)
_CONTAINERS = re.compile(r": containers (\S*) ")


@dataclass(frozen=True, slots=True)
class Violation:
    policy_id: str
    container: str
    message: str


def _eval(expression: str, data: dict[str, Any]) -> Any:
    return _ENV.compile(expression).eval(data=data).plain_value()


class AdmissionPolicy:
    """One ValidatingAdmissionPolicy document of the pack."""

    def __init__(self, document: dict[str, Any]) -> None:
        assert document["kind"] == "ValidatingAdmissionPolicy"
        self.policy_id: str = document["metadata"]["annotations"]["zwobs.io/policy-id"]
        self.spec = document["spec"]
        self.kinds = {
            kind
            for kind, (group, resource) in RESOURCES.items()
            for rule in self.spec["matchConstraints"]["resourceRules"]
            if group in rule["apiGroups"] and resource in rule["resources"]
        }

    def violations(self, obj: dict[str, Any]) -> list[Violation]:
        """What admission would report for ``obj`` (one entry per violating container)."""
        if obj.get("kind") not in self.kinds:
            return []
        data: dict[str, Any] = {"object": obj, "variables": {}}
        for condition in self.spec.get("matchConditions", []):
            if not _eval(condition["expression"], data):
                return []
        for variable in self.spec["variables"]:
            data["variables"][variable["name"]] = _eval(variable["expression"], data)
        found = []
        for validation in self.spec["validations"]:
            if _eval(validation["expression"], data) is True:
                continue
            message = str(_eval(validation["messageExpression"], data))
            match = _CONTAINERS.search(message)
            names = match.group(1).split(",") if match else [""]
            found.extend(Violation(self.policy_id, name, message) for name in names)
        return found
