"""Claim policies as data (claims-rules.md), one module per family, and the registry.

``policies_for(carrier, incident, ...)`` returns every rule that applies; ``policy(id)``
looks one up; ``incidents_for(kind)`` maps an anomaly to the incidents it gives a claim for.
"""

from claims.policies.registry import (
    ALL_POLICIES,
    UnknownPolicy,
    incidents_for,
    operator,
    policies_for,
    policy,
    transport_mode,
)

__all__ = [
    "ALL_POLICIES",
    "UnknownPolicy",
    "incidents_for",
    "operator",
    "policies_for",
    "policy",
    "transport_mode",
]
