"""Claims commands: claims facts|draft|list|show|set-status|export, evidence verify.

Data goes to stdout (tables, letters, JSON), messages to stderr. A claim is named by its
number (``claims list``); a shipment by its tracking number (``--carrier`` when stored for
several). Who made a change is ``--by``, else the login name ($USER).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from claims import facts as claim_facts
from claims import lifecycle
from claims.claiming import draft_open_claims
from claims.evidence import verify_pack
from claims.evidence_files import export_claim
from claims.lifecycle import ClaimError, ClaimNotFound, StoredClaim
from claims.model import Claimant, ClaimFacts, ClaimStatus, PaymentMethod
from claims.rendering import render
from parcel_watch import importer
from parcel_watch.cli import output
from parcel_watch.cli.commands_add import carrier_option
from parcel_watch.cli.errors import CliError, ExitCode, InvalidInput, NotFound
from parcel_watch.cli.session import open_store, run
from parcel_watch.detect import normalize_number
from parcel_watch.exporter import iso
from parcel_watch.model import Money, Shipment
from parcel_watch.store import Store

T = output.T


def _now() -> datetime:
    return datetime.now(UTC)


def _actor(by: str | None) -> str:
    name = (by or os.environ.get("USER") or "").strip()
    if not name:
        raise InvalidInput("who is making this change? give --by NAME (or set USER)")
    return name


def _status(value: str) -> ClaimStatus:
    try:
        return ClaimStatus(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        known = ", ".join(s.value for s in ClaimStatus)
        raise InvalidInput(f'unknown claim status "{value}"; known: {known}') from None


async def _shipment(store: Store, raw: str, carrier: str | None) -> Shipment:
    number = normalize_number(raw)
    matches = await store.find(number, carrier) if number else []
    if not matches:
        which = f" for carrier {carrier}" if carrier else ""
        raise NotFound(f"no shipment {number or raw}{which} is stored", hint="see: parcel-watch list")
    if len(matches) > 1:
        listed = ", ".join(s.carrier for s in matches)
        raise InvalidInput(
            f"{number} is stored for several carriers ({listed})",
            hint=f"say which one with --carrier {matches[0].carrier}",
        )
    return matches[0]


async def _claim(store: Store, claim_id: int) -> StoredClaim:
    try:
        return await lifecycle.get(store, claim_id)
    except ClaimNotFound as exc:
        raise NotFound(str(exc), hint="see: parcel-watch claims list") from exc


def claim_dict(claim: StoredClaim, now: datetime | None = None) -> dict[str, Any]:
    document = claim.document
    return {
        "id": claim.id,
        "shipment": document.get("shipment", {}).get("tracking_number"),
        "carrier": document.get("shipment", {}).get("carrier"),
        "anomaly": claim.anomaly.value,
        "incident": claim.incident.value,
        "respondent": claim.respondent.value,
        "respondent_name": document.get("claim", {}).get("respondent_name"),
        "policy": claim.policy_id,
        "status": claim.status.value,
        "auto_file": claim.auto_file,
        "amount": str(claim.amount.amount) if claim.amount else None,
        "currency": claim.amount.currency if claim.amount else None,
        "earliest": iso(claim.earliest),
        "latest": iso(claim.latest),
        "time_zone": claim.time_zone,
        "days_left": lifecycle.days_left(claim, now) if now is not None else None,
        "warnings": document.get("claim", {}).get("warnings", []),
    }


def _claims_table(claims: list[StoredClaim], now: datetime) -> Table:
    table = Table()
    for column in ("ID", "Tracking number", "Anomaly", "To", "Rule", "Amount", "File by", "Status", "Auto"):
        table.add_column(column)
    for claim in claims:
        row = claim_dict(claim, now)
        amount = f"{row['amount']} {row['currency']}" if row["amount"] else ""
        left = row["days_left"]
        due = (
            f"{row['latest']} ({left} d)"
            if row["latest"] and left is not None and left >= 0
            else row["latest"]
        )
        to = row["respondent_name"] or row["respondent"]
        table.add_row(
            str(claim.id),
            T(row["shipment"]),
            T(row["anomaly"]),
            T(to),
            T(row["policy"]),
            T(amount),
            T(due or ""),
            T(row["status"]),
            "yes" if claim.auto_file else "no",
        )
    return table


# -- facts ----------------------------------------------------------------------------------


def _money(amount: str | None, currency: str | None, option: str) -> Money | None:
    if amount is None:
        return None
    try:
        return importer.parse_money(amount, currency)
    except ValueError as exc:
        raise InvalidInput(
            f"{option}: {exc}", hint="amounts need --currency (ISO 4217), e.g. --currency EUR"
        ) from exc


def updated_facts(old: ClaimFacts, args: argparse.Namespace) -> ClaimFacts:
    """``old`` with the options given replaced (InvalidInput on a bad value)."""
    changes: dict[str, Any] = {}
    for option, field in (
        ("value", "item_value"),
        ("shipping", "shipping_cost"),
        ("declared", "declared_value"),
    ):
        money = _money(getattr(args, option), args.currency, f"--{option}")
        if money is not None:
            changes[field] = money
    try:
        if args.weight is not None:
            changes["weight_kg"] = importer.parse_decimal(args.weight, "weight in kg")
        if args.purchased is not None:
            changes["purchased_on"] = importer.parse_date(args.purchased)
        if args.country is not None:
            changes["buyer_country"] = importer.parse_country(args.country)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    simple = {
        "role": Claimant(args.role) if args.role else None,
        "payment_method": PaymentMethod(args.paid) if args.paid else None,
        "seller": args.seller,
        "platform": args.platform,
        "time_zone": args.tz,
        "language": args.lang,
        "insured": args.insured,
        "consumer_chose_carrier": args.consumer_chose_carrier,
    }
    changes.update({k: v for k, v in simple.items() if v is not None})
    if args.have is not None:
        try:
            changes["documents_on_hand"] = claim_facts.document_codes(args.have.split(","))
        except claim_facts.FactsError as exc:
            raise InvalidInput(f"--have: {exc}") from exc
    return replace(old, **changes)


def cmd_claims_facts(args: argparse.Namespace) -> int:
    carrier = carrier_option(args.carrier)
    return run(_facts(args, carrier))


async def _facts(args: argparse.Namespace, carrier: str | None) -> int:
    async with open_store(args.db) as store:
        shipment = await _shipment(store, args.number, carrier)
        assert shipment.id is not None
        old = await claim_facts.load(store, shipment.id) or ClaimFacts()
        try:
            saved = await claim_facts.save(store, shipment.id, updated_facts(old, args), _now())
        except claim_facts.FactsError as exc:
            raise InvalidInput(str(exc)) from exc
    data = claim_facts.to_json(saved)
    if args.json:
        output.emit_json({"tracking_number": shipment.tracking_number, "carrier": shipment.carrier, **data})
        return ExitCode.OK
    output.message(f"claim facts of {shipment.tracking_number} ({shipment.carrier}) stored")
    for key, value in data.items():
        if value not in (None, [], False):
            shown = f"{value['amount']} {value['currency']}" if isinstance(value, dict) else value
            output.emit_line(f"{key}: {', '.join(shown) if isinstance(shown, list) else shown}")
    return ExitCode.OK


# -- draft, list, show ----------------------------------------------------------------------


def cmd_claims_draft(args: argparse.Namespace) -> int:
    carrier = carrier_option(args.carrier)
    return run(_draft(args, carrier, _actor(args.by)))


async def _draft(args: argparse.Namespace, carrier: str | None, by: str) -> int:
    now = _now()
    async with open_store(args.db) as store:
        shipment_id = (await _shipment(store, args.number, carrier)).id if args.number else None
        result = await draft_open_claims(store, now, by=by, shipment_id=shipment_id)
    if args.json:
        output.emit_json([claim_dict(c, now) for c in result.claims])
        return ExitCode.OK
    for claim in result.expired:
        output.note(f"claim {claim.id} expired: its filing window closed on {claim.latest}")
    if not result.claims:
        output.message(f"{result.anomalies} open anomalies; no claim to draft")
        return ExitCode.OK
    output.console().print(_claims_table(list(result.claims), now))
    output.message(
        f"{len(result.claims)} claims from {result.anomalies} open anomalies; see: parcel-watch claims show ID"
    )
    return ExitCode.OK


def cmd_claims_list(args: argparse.Namespace) -> int:
    status = _status(args.status) if args.status else None
    if args.due_within is not None and args.due_within < 0:
        raise InvalidInput("--due-within: give a number of days, 0 or more")
    return run(_list(args, status))


async def _list(args: argparse.Namespace, status: ClaimStatus | None) -> int:
    now = _now()
    async with open_store(args.db) as store:
        if args.due_within is not None:
            claims = [r.claim for r in await lifecycle.due_within(store, now, args.due_within)]
            claims = [c for c in claims if status is None or c.status is status]
        else:
            claims = await lifecycle.list_claims(store, status=status)
    if args.json:
        output.emit_json([claim_dict(c, now) for c in claims])
        return ExitCode.OK
    if not claims:
        output.message(
            "No claims match."
            if status or args.due_within is not None
            else "No claims yet. Draft them with: parcel-watch claims draft"
        )
        return ExitCode.OK
    output.console().print(_claims_table(claims, now))
    return ExitCode.OK


def cmd_claims_show(args: argparse.Namespace) -> int:
    return run(_show(args))


async def _show(args: argparse.Namespace) -> int:
    async with open_store(args.db) as store:
        claim = await _claim(store, args.claim_id)
        history = await lifecycle.history(store, claim.id)
    if args.json:
        changes = [
            {
                "from": h.from_status.value if h.from_status else None,
                "to": h.to_status.value,
                "by": h.by,
                "at": iso(h.at),
                "note": h.note,
            }
            for h in history
        ]
        output.emit_json({**claim_dict(claim, _now()), "history": changes, "document": claim.document})
        return ExitCode.OK
    language = args.lang or claim.document.get("language", "en")
    output.emit_line(render(claim.document, language=language, markdown=args.markdown).rstrip("\n"))
    output.emit_line("")
    output.emit_line(
        f"Status: {claim.status.value} (claim {claim.id}, auto-file: {'yes' if claim.auto_file else 'no'})"
    )
    for h in history:
        was = f"{h.from_status.value} -> " if h.from_status else ""
        note = f": {h.note}" if h.note else ""
        output.emit_line(f"  {output.utc(h.at)}  {was}{h.to_status.value}  by {h.by}{note}")
    return ExitCode.OK


# -- set-status, export, verify ---------------------------------------------------------------


def cmd_claims_set_status(args: argparse.Namespace) -> int:
    return run(_set_status(args, _status(args.status), _actor(args.by)))


async def _set_status(args: argparse.Namespace, status: ClaimStatus, by: str) -> int:
    async with open_store(args.db) as store:
        old = await _claim(store, args.claim_id)
        try:
            claim = await lifecycle.set_status(store, old.id, status, by=by, now=_now(), note=args.note)
        except ClaimError as exc:
            raise InvalidInput(str(exc)) from exc
    if args.json:
        output.emit_json(claim_dict(claim, _now()))
    else:
        output.emit_line(f"claim {claim.id}: {old.status.value} -> {claim.status.value} (by {by})")
    return ExitCode.OK


def cmd_claims_export(args: argparse.Namespace) -> int:
    directory = Path(args.out)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InvalidInput(f"{directory} is not an empty directory", hint="give a new directory with --out")
    return run(_export(args, directory))


async def _export(args: argparse.Namespace, directory: Path) -> int:
    async with open_store(args.db) as store:
        claim = await _claim(store, args.claim_id)
        try:
            result = await export_claim(
                store, claim.id, directory, include_personal=args.include_personal_data, now=_now()
            )
        except OSError as exc:
            raise CliError(
                f"cannot write the evidence pack to {directory}: {exc.strerror or exc}", code=ExitCode.INVALID
            ) from exc
    if args.json:
        output.emit_json(result.manifest)
        return ExitCode.OK
    counts = ", ".join(f"{n} {how.value}" for how, n in result.payloads.items() if n)
    output.emit_line(f"wrote {result.files} files to {directory} (carrier payloads: {counts or 'none'})")
    output.emit_line(f"chain head: {result.manifest['head']}")
    mode = "included" if args.include_personal_data else "redacted"
    output.message(
        f"personal data {mode}; keep the chain head elsewhere, check with: parcel-watch evidence verify {directory}"
    )
    return ExitCode.OK


def cmd_evidence_verify(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory")
    result = verify_pack(directory)
    if args.json:
        problems = [{"kind": p.kind.value, "file": p.name, "detail": p.detail} for p in result.problems]
        output.emit_json(
            {"ok": result.ok, "files": result.files_checked, "head": result.head, "problems": problems}
        )
    elif result.ok:
        output.emit_line(f"ok: {result.files_checked} files, chain head {result.head}")
    else:
        for problem in result.problems:
            output.emit_line(f"{problem.kind.value}: {problem}")
    if not result.ok:
        output.error(f"the evidence pack in {directory} does not verify ({len(result.problems)} problems)")
        return ExitCode.INVALID
    return ExitCode.OK
