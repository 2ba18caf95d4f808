"""What goes into a claim's evidence pack, gathered from the store (``claims.evidence``
writes and verifies it).

In chain order: the draft in each language as Markdown and plain text, the claim (its
fields, amount, deadline, status history) as JSON, the shipment's full timeline as CSV, and
every raw carrier payload that produced one of its events, oldest first. Without
``include_personal``, personal data is redacted everywhere (``claims.redaction``): the
manifest says, per payload, whether the bytes are the exact ones received, a redacted copy,
or withheld, and always gives the original's SHA-256 as the store keeps it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from claims import lifecycle
from claims.evidence import PackFile, write_pack
from claims.lifecycle import StatusChange, StoredClaim
from claims.redaction import PayloadExport, export_payload, redact_document
from claims.rendering import LANGUAGES, render
from parcel_watch.exporter import csv_header, csv_rows, iso, shipment_dict
from parcel_watch.model import Shipment, TrackingEvent
from parcel_watch.redact import REDACTED, redact
from parcel_watch.store import Store, StoredPayload


class ShipmentGone(LookupError):
    """The claim's shipment is no longer stored."""


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    manifest: dict[str, Any]
    files: int
    payloads: dict[PayloadExport, int]


def _change(change: StatusChange, include_personal: bool) -> dict[str, Any]:
    by = change.by if include_personal or change.by == lifecycle.SYSTEM_ACTOR else REDACTED
    note = change.note if include_personal or change.note is None else redact(change.note)
    return {
        "from": change.from_status.value if change.from_status else None,
        "to": change.to_status.value,
        "by": by,
        "at": iso(change.at),
        "note": note,
    }


def claim_json(
    claim: StoredClaim,
    history: Sequence[StatusChange],
    shipment: Shipment,
    document: dict[str, Any],
    include_personal: bool,
) -> dict[str, Any]:
    return {
        "claim": {
            "id": claim.id,
            "status": claim.status.value,
            "policy": claim.policy_id,
            "anomaly": claim.anomaly.value,
            "respondent": claim.respondent.value,
            "incident": claim.incident.value,
            "auto_file": claim.auto_file,
            "amount": str(claim.amount.amount) if claim.amount else None,
            "currency": claim.amount.currency if claim.amount else None,
            "earliest": iso(claim.earliest),
            "latest": iso(claim.latest),
            "time_zone": claim.time_zone,
            "created_at": iso(claim.created_at),
            "updated_at": iso(claim.updated_at),
        },
        "history": [_change(c, include_personal) for c in history],
        "shipment": shipment_dict(shipment, include_personal=include_personal),
        "draft": document,
    }


def timeline_csv(shipment: Shipment, events: Sequence[TrackingEvent], include_personal: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_header())
    writer.writerows(csv_rows(shipment, events, include_personal=include_personal))
    return out.getvalue().encode("utf-8")


def payload_files(
    payloads: Sequence[StoredPayload], include_personal: bool
) -> tuple[list[PackFile], list[dict[str, str]]]:
    """(files to write, payloads withheld) for the shipment's raw payloads, oldest first."""
    files: list[PackFile] = []
    withheld: list[dict[str, str]] = []
    for n, payload in enumerate(sorted(payloads, key=lambda p: (p.received_at, p.sha256)), start=1):
        exported = export_payload(payload.body, payload.content_type, include_personal=include_personal)
        origin = {
            "original_sha256": payload.sha256,
            "carrier": payload.carrier,
            "source": payload.source,
            "content_type": payload.content_type,
            "received_at": iso(payload.received_at) or "",
        }
        if exported.how is PayloadExport.WITHHELD:
            withheld.append({**origin, "reason": "not parseable as JSON or XML, so it cannot be redacted"})
            continue
        how = {
            PayloadExport.EXACT: "the exact bytes received",
            PayloadExport.REDACTED: "a copy with personal data redacted (the original is kept in the store)",
        }[exported.how]
        files.append(
            PackFile(
                f"payloads/{n:03d}-{payload.sha256[:12]}.{exported.extension}",
                exported.data,
                f"carrier payload from {payload.carrier}: {how}",
                {"payload": {**origin, "export": exported.how.value}},
            )
        )
    return files, withheld


async def export_claim(
    store: Store, claim_id: int, directory: Path, *, include_personal: bool, now: datetime
) -> ExportResult:
    """Write claim ``claim_id``'s evidence pack into ``directory`` (new or empty)."""
    claim = await lifecycle.get(store, claim_id)
    found = await store.by_ids([claim.shipment_id])
    if not found:
        raise ShipmentGone(f"the shipment of claim {claim_id} is no longer stored")
    [shipment] = await store.find(found[0].tracking_number, found[0].carrier)  # with its estimate history
    events = await store.timeline(claim.shipment_id)
    history = await lifecycle.history(store, claim_id)
    stored = [await store.payload(sha) for sha in await store.payload_of_events(claim.shipment_id)]
    payloads = [p for p in stored if p is not None]

    document = claim.document if include_personal else redact_document(claim.document)
    files = [
        PackFile(
            f"draft.{language}.{ext}",
            render(document, language=language, markdown=ext == "md").encode("utf-8"),
            f"the claim letter ({language}, {'Markdown' if ext == 'md' else 'plain text'})",
        )
        for language in LANGUAGES
        for ext in ("md", "txt")
    ]
    record = claim_json(claim, history, shipment, document, include_personal)
    files.append(
        PackFile(
            "claim.json",
            (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
            "the claim: fields, amount, deadline, status history",
        )
    )
    files.append(
        PackFile(
            "timeline.csv", timeline_csv(shipment, events, include_personal), "the full tracking timeline"
        )
    )
    carrier_files, withheld = payload_files(payloads, include_personal)
    files.extend(carrier_files)
    header = {
        "shipment": {"carrier": shipment.carrier, "tracking_number": shipment.tracking_number},
        "claim": claim.id,
        "created_at": iso(now),
        "personal_data": "included" if include_personal else "redacted",
        "withheld_payloads": withheld,
    }
    manifest = write_pack(directory, header, files)
    counts = {how: 0 for how in PayloadExport}
    for item in carrier_files:
        counts[PayloadExport(item.extra["payload"]["export"])] += 1
    counts[PayloadExport.WITHHELD] = len(withheld)
    return ExportResult(directory, manifest, len(files), counts)
