"""``parcel-watch claims sweep``: late deliveries whose money-back guarantee can still be asked.

Lists them (table or ``--json``); with ``--out DIR`` also drafts the batch there: one
refund-request CSV per carrier and each claim's evidence pack (``claims.guarantee_batch``).
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table

from claims import guarantee_sweep
from claims.guarantee_batch import BatchResult, write_batch
from claims.guarantee_sweep import Sweep, SweepItem
from parcel_watch.cli import output
from parcel_watch.cli.errors import CliError, ExitCode, InvalidInput
from parcel_watch.cli.session import open_store, run

T = output.T


def _since(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(f'--since: "{raw}" is not a date (YYYY-MM-DD)') from None


def item_dict(item: SweepItem) -> dict[str, Any]:
    return {
        "claim": item.claim_id,
        "carrier": item.operator,
        "policy": item.policy_id,
        "tracking_number": item.tracking_number,
        "service": item.service,
        "ship_date": item.shipped_on.isoformat(),
        "promised": item.promised,
        "delivered": item.delivered_at.isoformat(),
        "amount": str(item.amount.amount) if item.amount else None,
        "currency": item.amount.currency if item.amount else None,
        "request_by": item.deadline.isoformat(),
        "days_left": item.days_left,
        "time_zone": item.time_zone,
    }


def _table(items: tuple[SweepItem, ...]) -> Table:
    # Numbers and dates cut short are useless: they keep their width, the words wrap.
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    widest = max((len(i.tracking_number) for i in items), default=0)
    table.add_column("Claim", no_wrap=True)
    table.add_column("Carrier", overflow="fold")
    table.add_column("Tracking number", no_wrap=True, min_width=min(widest, 40))
    table.add_column("Service", overflow="fold")
    for column in ("Promised\nDelivered", "Ask by"):
        table.add_column(column, no_wrap=True, min_width=10)
    table.add_column("Refund", overflow="fold")
    for item in items:
        refund = f"{item.amount.amount} {item.amount.currency}" if item.amount else "shipping cost?"
        table.add_row(
            str(item.claim_id),
            T(item.operator),
            T(item.tracking_number),
            T(item.service),
            T(f"{item.promised}\n{item.delivered_at:%Y-%m-%d}", keep_newlines=True),
            f"{item.deadline.isoformat()}\n{item.days_left} d left",
            T(refund),
        )
    return table


def cmd_claims_sweep(args: argparse.Namespace) -> int:
    since = _since(args.since)
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise InvalidInput(f"{out} is not a directory")
    by = (args.by or os.environ.get("USER") or "parcel-watch").strip()
    return run(_sweep(args, since, out, by))


async def _sweep(args: argparse.Namespace, since: date | None, out: Path | None, by: str) -> int:
    now = datetime.now(UTC)
    async with open_store(args.db) as store:
        entries = await guarantee_sweep.load(store, now, by=by)
        sweep = guarantee_sweep.select(entries, now, since=since)
        batch = None
        if out is not None and sweep.items:
            try:
                batch = await write_batch(
                    store, out, sweep.items, now=now, include_personal=args.include_personal_data
                )
            except OSError as exc:
                raise CliError(
                    f"cannot write the batch to {out}: {exc.strerror or exc}", code=ExitCode.INVALID
                ) from exc
    _report(args, sweep, batch, out)
    return ExitCode.OK


def _report(args: argparse.Namespace, sweep: Sweep, batch: BatchResult | None, out: Path | None) -> None:
    if args.json:
        data: dict[str, Any] = {"items": [item_dict(i) for i in sweep.items], "left_out": sweep.left_out}
        if batch is not None:
            data["batch"] = {
                "csv": [p.name for p in batch.csv_files],
                "packs_written": list(batch.packs_written),
                "packs_kept": list(batch.packs_kept),
            }
        output.emit_json(data)
        return
    if sweep.items:
        output.console().print(_table(sweep.items))
    else:
        output.message("No late delivery with a guarantee in force and its refund window open.")
    for reason, count in sweep.left_out.items():
        output.message(f"left out: {count} ({reason})")
    if batch is not None and out is not None:
        names = ", ".join(p.name for p in batch.csv_files)
        output.message(
            f"wrote {names} and {len(batch.packs_written)} evidence pack(s) to {out} "
            f"({len(batch.packs_kept)} already there)"
        )
    elif sweep.items:
        output.message("draft the batch (CSV per carrier, evidence packs) with --out DIR")
