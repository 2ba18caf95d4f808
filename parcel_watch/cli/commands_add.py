"""Commands that change the stored shipments: add, add --from-text, remove."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from parcel_watch import importer
from parcel_watch.adding import Conflict, Outcome, add_number, alternatives, upsert
from parcel_watch.cli import output
from parcel_watch.cli.errors import CliError, ExitCode, InvalidInput, NotFound
from parcel_watch.cli.session import open_store, run
from parcel_watch.detect import Candidate, InvalidTrackingNumber, carriers, extract, normalize_number
from parcel_watch.model import CarrierSource, Shipment

# (option, Shipment field, parser) for the descriptive options of `add`.
_FIELDS: list[tuple[str, str, Any]] = [
    ("--label", "label", lambda v: importer.clean_text(v, "label")),
    ("--order", "order_ref", lambda v: importer.clean_text(v, "order_ref")),
    ("--service", "service", lambda v: importer.clean_text(v, "service")),
    ("--origin", "origin_country", importer.parse_country),
    ("--destination", "destination_country", importer.parse_country),
    ("--ship-date", "ship_date", importer.parse_date),
    ("--promised", "promised_delivery", importer.parse_date),
    ("--weight", "weight_kg", importer.parse_weight),
]


def carrier_option(value: str | None) -> str | None:
    """A --carrier value checked against the known slugs (InvalidInput otherwise)."""
    if value is None:
        return None
    try:
        return importer.parse_carrier(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def descriptive_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for option, name, parse in _FIELDS:
        raw = getattr(args, option.lstrip("-").replace("-", "_"))
        if raw is None:
            continue
        try:
            fields[name] = parse(raw)
        except ValueError as exc:
            raise InvalidInput(f"{option}: {exc}") from exc
    try:
        money = importer.parse_money(args.value, args.currency)
    except ValueError as exc:
        raise InvalidInput(f"--value/--currency: {exc}") from exc
    if money is not None:
        fields["declared_value"] = money
    return fields


def _report(outcome: Outcome, names: dict[str, str]) -> None:
    s = outcome.shipment
    verb = "added" if outcome.created else "updated"
    extra = f", origin {s.origin_country}" if s.origin_country else ""
    output.emit_line(
        f"{verb} {s.tracking_number}: {output.carrier_label(s.carrier, names)}, "
        f"carrier {s.carrier_source.value}{extra}"
    )
    for old in outcome.replaced:
        output.note(f"replaced the detected carrier {old} of {s.tracking_number} by {s.carrier}")
    if outcome.also_stored:
        also = ", ".join(outcome.also_stored)
        output.note(
            f"{s.tracking_number} is also stored for {also} (it has events there); "
            f"remove it with: parcel-watch remove {s.tracking_number} --carrier {outcome.also_stored[0]}"
        )


def _note_ambiguity(candidate: Candidate, names: dict[str, str]) -> None:
    others = alternatives(candidate)
    if not others:
        return
    listed = ", ".join(f"{names.get(c.carrier, c.carrier)} ({c.carrier}, {c.confidence:.2f})" for c in others)
    output.note(
        f"{candidate.number} could also be {listed}; it was added as "
        f"{names.get(candidate.carrier, candidate.carrier)} ({candidate.carrier}, "
        f"{candidate.confidence:.2f}). If that is wrong, run: "
        f"parcel-watch add {candidate.number} --carrier {others[0].carrier}"
    )


def cmd_add(args: argparse.Namespace) -> int:
    if args.from_text is not None:
        if args.number is not None or args.carrier is not None:
            raise CliError("add --from-text takes no NUMBER and no --carrier", code=ExitCode.USAGE)
        return add_from_text(args)
    if args.number is None:
        raise CliError("give a tracking NUMBER or --from-text FILE", code=ExitCode.USAGE)
    carrier = carrier_option(args.carrier)
    fields = descriptive_fields(args)
    return run(_add(args, args.number, carrier, fields))


async def _add(args: argparse.Namespace, raw: str, carrier: str | None, fields: dict[str, Any]) -> int:
    names = dict(carriers())
    async with open_store(args.db) as store:
        try:
            outcome, candidate = await add_number(store, raw, carrier, fields)
        except InvalidTrackingNumber as exc:
            raise InvalidInput(str(exc)) from exc
        except Conflict as exc:
            raise InvalidInput(str(exc), hint="say which one with --carrier") from exc
    _report(outcome, names)
    if carrier is None and outcome.created:
        _note_ambiguity(candidate, names)
    return ExitCode.OK


def _read_text(source: str) -> str:
    if source == "-":
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    try:
        return Path(source).read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from exc


def add_from_text(args: argparse.Namespace) -> int:
    fields = descriptive_fields(args)
    text = _read_text(args.from_text)
    found = extract(text)
    where = "standard input" if args.from_text == "-" else args.from_text
    if not found:
        output.error(f"no tracking number found in {where}")
        return ExitCode.NOTHING_FOUND
    return run(_add_found(args, found, fields, where))


async def _add_found(
    args: argparse.Namespace, found: list[Candidate], fields: dict[str, Any], where: str
) -> int:
    names = dict(carriers())
    added = updated = skipped = 0
    async with open_store(args.db) as store:
        for candidate in found:
            shipment = Shipment(
                tracking_number=candidate.number,
                carrier=candidate.carrier,
                carrier_source=CarrierSource.DETECTED,
                **fields,
            )
            try:
                outcome = await upsert(store, shipment, candidate, explicit=False)
            except Conflict as exc:
                output.note(f"skipped: {exc}; add it with --carrier")
                skipped += 1
                continue
            _report(outcome, names)
            if outcome.created:
                added += 1
                _note_ambiguity(candidate, names)
            else:
                updated += 1
    plural = "" if len(found) == 1 else "s"
    summary = f"found {len(found)} tracking number{plural} in {where}: {added} added, {updated} updated"
    output.message(summary + (f", {skipped} skipped" if skipped else ""))
    return ExitCode.OK


def cmd_remove(args: argparse.Namespace) -> int:
    carrier = carrier_option(args.carrier)
    return run(_remove(args, normalize_number(args.number), carrier))


async def _remove(args: argparse.Namespace, number: str, carrier: str | None) -> int:
    async with open_store(args.db) as store:
        matches = await store.find(number, carrier)
        if not matches:
            which = f" for carrier {carrier}" if carrier else ""
            raise NotFound(f"no shipment {number}{which} is stored", hint="see: parcel-watch list")
        if len(matches) > 1:
            listed = ", ".join(s.carrier for s in matches)
            raise InvalidInput(
                f"{number} is stored for several carriers ({listed})",
                hint=f"remove one with: parcel-watch remove {number} --carrier {matches[0].carrier}",
            )
        removed = await store.remove(number, matches[0].carrier)
    output.emit_line(f"removed {number} ({matches[0].carrier})" if removed else f"{number} was already gone")
    return ExitCode.OK
