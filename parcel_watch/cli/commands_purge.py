"""``parcel-watch purge --older-than AGE [--dry-run] [--json]``: retention (see ``parcel_watch.purge``)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from parcel_watch.cli import output
from parcel_watch.cli.errors import InvalidInput
from parcel_watch.cli.session import open_store, run
from parcel_watch.purge import DurationError, PurgeReport, parse_duration


def cmd_purge(args: argparse.Namespace) -> int:
    try:
        age = parse_duration(args.older_than)
    except DurationError as exc:
        raise InvalidInput(str(exc), hint="--older-than 180d (days) or 26w (weeks)") from None

    async def go() -> PurgeReport:
        from parcel_watch.purge_run import purge  # claims and drafting: only when purging

        async with open_store(args.db) as store:
            return await purge(store, age, datetime.now(UTC), dry_run=args.dry_run)

    report = run(go())
    if args.json:
        output.emit_json(report.to_dict())
    else:
        for line in summary(report):
            output.emit_line(line)
    return 0


def summary(r: PurgeReport) -> list[str]:
    verb = "would purge" if r.dry_run else "purged"
    lines = [
        f"{r.qualifying} shipments finished before {r.cutoff:%Y-%m-%d %H:%M} UTC",
        f"{verb} personal data of {r.purged} shipments ({r.already_purged} had none left)",
        (
            f"{'would delete' if r.dry_run else 'deleted'} {r.payloads_deleted} raw payloads "
            f"({_size(r.bytes_freed)}); {r.payloads_shared} kept, shared with shipments not purged"
        ),
    ]
    if r.held:
        lines.append(
            f"held {r.held} shipments a claim may still need: {r.held_claim_open} with an open claim, "
            f"{r.held_claim_window_open} with an open anomaly whose claim window is open"
        )
    if r.held_claim_open:
        # Drafts without a countable deadline stay open until someone decides.
        lines.append(
            "a claim that will not be filed: `parcel-watch claims set-status ID expired` releases it"
        )
    if r.dry_run:
        lines.append("dry run: nothing was changed")
    elif r.sqlite_wal_truncated is False:
        lines.append("note: another connection kept the SQLite write-ahead log from being emptied")
    return lines


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    return f"{n / 1024:.1f} KiB" if n < 1024**2 else f"{n / 1024**2:.1f} MiB"
