"""``parcel-watch parse --carrier ADAPTER FILE``: what an adapter makes of a carrier payload.

Useful to anyone debugging a carrier answer: the normalized shipments and events, and
every problem as a typed error — never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from parcel_watch.cli import output
from parcel_watch.cli.errors import CliError, ExitCode
from parcel_watch.textsafe import for_terminal as T


def cmd_parse(args: argparse.Namespace) -> int:
    import carriers  # the composition root may reach the adapters

    try:
        parse = carriers.parser(args.carrier)
    except carriers.UnknownAdapter:
        known = ", ".join(sorted(carriers.ADAPTERS))
        raise CliError(f"unknown adapter {args.carrier!r}; known: {known}", code=ExitCode.INVALID) from None
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}", code=ExitCode.INVALID) from None
    result = parse(raw)
    if args.json:
        output.emit_json(result.to_dict())
    else:
        table = output.console()
        for s in result.shipments:
            table.print(f"[bold]{T(s.tracking_number)}[/bold] {T(s.carrier)} {s.status.value}")
            for e in s.events:
                where = ", ".join(T(p) for p in (e.location.city, e.location.country) if p)
                table.print(
                    f"  {e.occurred_at.isoformat()}  {e.status.value:<20} {T(e.carrier_code or '')}  {T(e.description)}  {where}"
                )
        for err in result.errors:
            output.message(f"{err.kind}: {err.message}", prefix="error: ")
    return ExitCode.OK if result.shipments or not result.errors else ExitCode.INVALID
