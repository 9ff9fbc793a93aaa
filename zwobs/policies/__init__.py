"""The zwobs compliance pack: policies defined once, compiled for Trivy and for admission."""

from __future__ import annotations

from .admission import admission_documents
from .model import Policy, Scope, Severity, Target
from .pack import PACK, policy_by_id
from .params import PolicyParams
from .rego import CHECK_NAMESPACE, DATA_KEY, compile_rego

__all__ = [
    "CHECK_NAMESPACE",
    "DATA_KEY",
    "PACK",
    "Policy",
    "PolicyParams",
    "Scope",
    "Severity",
    "Target",
    "admission_documents",
    "compile_rego",
    "policy_by_id",
]
