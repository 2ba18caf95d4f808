"""Read-only commands: list, show, detect, carriers (detect and carriers need no database)."""

from __future__ import annotations

import argparse

from rich.console import Group

from parcel_watch.cli import output
from parcel_watch.cli.commands_add import carrier_option
from parcel_watch.cli.errors import ExitCode, InvalidInput, NotFound
from parcel_watch.cli.session import open_store, run
from parcel_watch.detect import InvalidTrackingNumber, best, carriers, detect, normalize_number, require_valid
from parcel_watch.exporter import shipment_dict
from parcel_watch.status import Status


def status_option(value: str | None) -> Status | None:
    if value is None:
        return None
    try:
        return Status(value.strip().upper().replace("-", "_"))
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise InvalidInput(f'unknown status "{value}"; known statuses: {known}') from None


def cmd_list(args: argparse.Namespace) -> int:
    status = status_option(args.status)
    carrier = carrier_option(args.carrier)
    return run(_list(args, status, carrier))


async def _list(args: argparse.Namespace, status: Status | None, carrier: str | None) -> int:
    async with open_store(args.db) as store:
        shipments = await store.list(status=status.value if status else None, carrier=carrier)
    if args.json:
        output.emit_json([shipment_dict(s) for s in shipments])
        return ExitCode.OK
    if not shipments:
        if status or carrier:
            output.message("No shipments match these filters.")
        else:
            output.message("No shipments yet. Add one with: parcel-watch add NUMBER")
        return ExitCode.OK
    output.console().print(output.shipments_table(shipments))
    return ExitCode.OK


def cmd_show(args: argparse.Namespace) -> int:
    carrier = carrier_option(args.carrier)
    return run(_show(args, normalize_number(args.number), carrier))


async def _show(args: argparse.Namespace, number: str, carrier: str | None) -> int:
    async with open_store(args.db) as store:
        shipments = await store.find(number, carrier) if number else []
        timelines = [await store.timeline(s.id) if s.id is not None else [] for s in shipments]
    if not shipments:
        which = f" for carrier {carrier}" if carrier else ""
        raise NotFound(f"no shipment {number or args.number} is stored{which}", hint="see: parcel-watch list")
    if args.json:
        output.emit_json([shipment_dict(s, events) for s, events in zip(shipments, timelines, strict=True)])
        return ExitCode.OK
    names = dict(carriers())
    console = output.console()
    if len(shipments) > 1:
        listed = ", ".join(s.carrier for s in shipments)
        output.note(f"{number} is stored for {len(shipments)} carriers ({listed}); showing all")
    for i, (shipment, events) in enumerate(zip(shipments, timelines, strict=True)):
        if i:
            console.print()
        parts: list[object] = [output.shipment_panel(shipment, names)]
        parts.append(output.timeline_table(events) if events else "[dim]No tracking events yet.[/dim]")
        console.print(Group(*parts))  # type: ignore[arg-type]
    return ExitCode.OK


def cmd_detect(args: argparse.Namespace) -> int:
    raw = " ".join(args.number)
    number = normalize_number(raw)
    candidates = detect(raw)
    valid = best(raw) is not None
    if args.json:
        output.emit_json({"number": number, "candidates": [c.to_dict() for c in candidates]})
    elif candidates:
        output.console().print(output.candidates_table(candidates))
    if not valid:
        if not args.json:
            try:
                require_valid(raw)
            except InvalidTrackingNumber as exc:
                output.error(str(exc))
        return ExitCode.INVALID
    return ExitCode.OK


def cmd_carriers(args: argparse.Namespace) -> int:
    known = carriers()
    if args.json:
        output.emit_json([{"carrier": slug, "name": name} for slug, name in known])
        return ExitCode.OK
    from rich.table import Table

    table = Table()
    table.add_column("Carrier")
    table.add_column("Name")
    for slug, name in known:
        table.add_row(output.T(slug), output.T(name))
    output.console().print(table)
    return ExitCode.OK
