"""What the rules found vs what is stored as open: the changes to record (pure).

An anomaly opens once per (shipment, kind); while the rule keeps finding it, it is updated
only when what it says changed (since, details, evidence); when the rule no longer finds
it for a shipment that was evaluated, it resolves. A shipment not evaluated keeps its
anomalies as they are.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from claims.model import Anomaly, AnomalyKind


@dataclass(frozen=True, slots=True)
class OpenRow:
    """An open anomaly as stored (JSON as text, compared as text)."""

    id: int
    shipment_id: int
    kind: AnomalyKind
    since: datetime
    details: str
    evidence: str


@dataclass
class Changes:
    opened: list[Anomaly] = field(default_factory=list)
    updated: list[tuple[OpenRow, Anomaly]] = field(default_factory=list)
    resolved: list[OpenRow] = field(default_factory=list)


# One encoder for every call: json.dumps with options builds a new one each time.
_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def details_json(anomaly: Anomaly) -> str:
    return _ENCODE(anomaly.details)


def evidence_json(anomaly: Anomaly) -> str:
    return "[" + ",".join(map(str, anomaly.evidence)) + "]"


def reconcile(
    evaluated: Collection[int], found: Iterable[Anomaly], open_rows: Mapping[tuple[int, AnomalyKind], OpenRow]
) -> Changes:
    changes = Changes()
    still_open: set[tuple[int, AnomalyKind]] = set()
    for anomaly in found:
        key = (anomaly.shipment_id, anomaly.kind)
        row = open_rows.get(key)
        if row is None:
            changes.opened.append(anomaly)
            continue
        still_open.add(key)
        if (
            row.since != anomaly.since
            or row.details != details_json(anomaly)
            or row.evidence != evidence_json(anomaly)
        ):
            changes.updated.append((row, anomaly))
    changes.resolved = [
        row for key, row in open_rows.items() if key not in still_open and row.shipment_id in evaluated
    ]
    return changes
