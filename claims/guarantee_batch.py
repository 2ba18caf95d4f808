"""The sweep's batch on disk: one refund-request CSV per carrier and each claim's evidence pack.

Under the output folder::

    refund-requests-ups.csv     one row per claim, in the carrier's request shape
    packs/claim-12/             the claim's evidence pack (``claims.evidence_files``)
    sweep.json                  which claims were written, their pack and its chain head

Re-running adds nothing twice: a CSV is rewritten with the current batch (the same claims
give the same rows), and a claim whose pack exists is not exported again — a pack that was
handed over must stay as it was. Personal data is redacted in the packs unless asked for;
the CSVs hold none (numbers, dates, services and amounts).

Columns, by carrier, and where each value comes from:

* UPS Guaranteed Service Refund (ups.com's GSR request asks for the tracking number, the
  ship date, the service and the account; the refund is of the charges):
  ``Tracking Number`` (the shipment), ``Ship Date`` (the ship date, else the first scan's
  day), ``Service`` (the shipment's service), ``Scheduled Delivery`` (the promise the claim
  was drafted with: the merchant's promised date, else the carrier's first estimate),
  ``Delivered`` (the delivery scan, UTC), ``Shipper Account`` and ``Invoice Number``
  (blank: parcel-watch keeps neither; the payer adds them), ``Refund Amount`` and
  ``Currency`` (the shipping cost from the claim's facts; blank when not given),
  ``Request By`` (the claim's last day), ``Reference`` (the order reference).
* FedEx Money-Back Guarantee (a request names the invoice and the tracking number):
  ``Invoice Number``, ``Account Number`` (blank, as above), ``Tracking Number``,
  ``Ship Date``, ``Service``, ``Commitment`` (the promise), ``Delivered``, ``Amount``,
  ``Currency``, ``Request By``, ``Reference`` — from the same sources as UPS's.
* Canada Post on-time guarantee (asked with the tracking PIN and the guaranteed date):
  ``Tracking PIN``, ``Mailing Date`` (the ship date), ``Service``, ``Guaranteed Date``
  (the promise), ``Delivered``, ``Postage Paid``, ``Currency``, ``Request By``,
  ``Customer Reference`` (the order reference).
* Any other carrier with a guarantee (USPS, DHL Express US): the generic columns
  ``tracking_number, ship_date, service, promised, delivered, amount, currency,
  request_by, reference, policy``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from claims.evidence_files import export_claim
from claims.guarantee_sweep import SweepItem
from parcel_watch.store import Store
from parcel_watch.textsafe import export_row

MANIFEST = "sweep.json"
PACKS = "packs"

Row = Callable[[SweepItem], list[str]]


def _delivered(item: SweepItem) -> str:
    return item.delivered_at.strftime("%Y-%m-%d %H:%M UTC")


def _amount(item: SweepItem) -> list[str]:
    if item.amount is None:
        return ["", ""]
    return [str(item.amount.amount), item.amount.currency]


def _ups(item: SweepItem) -> list[str]:
    return [
        item.tracking_number,
        item.shipped_on.isoformat(),
        item.service,
        item.promised,
        _delivered(item),
        "",
        "",
        *_amount(item),
        item.deadline.isoformat(),
        item.order_ref,
    ]


def _fedex(item: SweepItem) -> list[str]:
    return [
        "",
        "",
        item.tracking_number,
        item.shipped_on.isoformat(),
        item.service,
        item.promised,
        _delivered(item),
        *_amount(item),
        item.deadline.isoformat(),
        item.order_ref,
    ]


def _canadapost(item: SweepItem) -> list[str]:
    return [
        item.tracking_number,
        item.shipped_on.isoformat(),
        item.service,
        item.promised,
        _delivered(item),
        *_amount(item),
        item.deadline.isoformat(),
        item.order_ref,
    ]


def _generic(item: SweepItem) -> list[str]:
    return [
        item.tracking_number,
        item.shipped_on.isoformat(),
        item.service,
        item.promised,
        _delivered(item),
        *_amount(item),
        item.deadline.isoformat(),
        item.order_ref,
        item.policy_id,
    ]


SHAPES: dict[str, tuple[tuple[str, ...], Row]] = {
    "ups": (
        (
            "Tracking Number",
            "Ship Date",
            "Service",
            "Scheduled Delivery",
            "Delivered",
            "Shipper Account",
            "Invoice Number",
            "Refund Amount",
            "Currency",
            "Request By",
            "Reference",
        ),
        _ups,
    ),
    "fedex": (
        (
            "Invoice Number",
            "Account Number",
            "Tracking Number",
            "Ship Date",
            "Service",
            "Commitment",
            "Delivered",
            "Amount",
            "Currency",
            "Request By",
            "Reference",
        ),
        _fedex,
    ),
    "canadapost": (
        (
            "Tracking PIN",
            "Mailing Date",
            "Service",
            "Guaranteed Date",
            "Delivered",
            "Postage Paid",
            "Currency",
            "Request By",
            "Customer Reference",
        ),
        _canadapost,
    ),
}
GENERIC: tuple[tuple[str, ...], Row] = (
    (
        "tracking_number",
        "ship_date",
        "service",
        "promised",
        "delivered",
        "amount",
        "currency",
        "request_by",
        "reference",
        "policy",
    ),
    _generic,
)


_PLAIN_OPERATOR = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def csv_name(operator: str) -> str:
    """A plain file name, never a path: the operator is a known slug, except that it falls back
    to the shipment's carrier name, which a carrier payload may have given (``../../x``)."""
    if _PLAIN_OPERATOR.fullmatch(operator):
        return f"refund-requests-{operator}.csv"
    return f"refund-requests-other-{hashlib.sha256(operator.encode()).hexdigest()[:12]}.csv"


def carrier_csv(operator: str, items: Sequence[SweepItem]) -> bytes:
    """One carrier's refund requests as CSV (UTF-8, CRLF rows as spreadsheets expect)."""
    header, row = SHAPES.get(operator, GENERIC)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(export_row(row(item)) for item in items)  # service names: no escapes
    return buffer.getvalue().encode("utf-8")


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


@dataclass(frozen=True)
class BatchResult:
    csv_files: tuple[Path, ...]
    packs_written: tuple[int, ...]  # claim ids exported by this run
    packs_kept: tuple[int, ...]  # claim ids whose pack was already there
    manifest: dict[str, Any]


def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"claims": {}}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) and isinstance(data.get("claims"), dict) else {"claims": {}}


async def write_batch(
    store: Store, out: Path, items: Sequence[SweepItem], *, now: datetime, include_personal: bool = False
) -> BatchResult:
    """Write the CSVs and the packs missing so far, and record them in ``sweep.json``."""
    (out / PACKS).mkdir(parents=True, exist_ok=True)
    by_operator: dict[str, list[SweepItem]] = {}
    for item in items:
        by_operator.setdefault(item.operator, []).append(item)
    csv_files = []
    for operator, group in sorted(by_operator.items()):
        path = out / csv_name(operator)
        _write_atomically(path, carrier_csv(operator, group))
        csv_files.append(path)

    manifest_path = out / MANIFEST
    manifest = _read_manifest(manifest_path)
    written, kept = [], []
    for item in items:
        pack = out / PACKS / f"claim-{item.claim_id}"
        if (pack / "manifest.json").exists():
            kept.append(item.claim_id)
            continue
        if pack.exists():  # an export cut short (no manifest yet): start the pack again
            shutil.rmtree(pack)
        result = await export_claim(store, item.claim_id, pack, include_personal=include_personal, now=now)
        written.append(item.claim_id)
        manifest["claims"][str(item.claim_id)] = {
            "carrier": item.operator,
            "tracking_number": item.tracking_number,
            "policy": item.policy_id,
            "csv": csv_name(item.operator),
            "pack": f"{PACKS}/{pack.name}",
            "chain_head": result.manifest["head"],
            "personal_data": result.manifest["personal_data"],
            "written_at": now.isoformat(),
        }
    _write_atomically(manifest_path, json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
    return BatchResult(tuple(csv_files), tuple(written), tuple(kept), manifest)
