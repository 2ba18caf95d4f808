"""Every fuzz target by name."""

from __future__ import annotations

from fuzzing.carrier_targets import carrier_targets
from fuzzing.planted import planted_targets
from fuzzing.target import Target
from fuzzing.value_targets import value_targets


def all_targets() -> dict[str, Target]:
    return {t.name: t for t in (*carrier_targets(), *value_targets(), *planted_targets())}
