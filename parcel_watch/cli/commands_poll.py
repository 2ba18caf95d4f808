"""``parcel-watch poll`` (everything due, once) and ``parcel-watch watch`` (until stopped)."""

from __future__ import annotations

import argparse
import asyncio
import signal

from parcel_watch.cli import output
from parcel_watch.cli.errors import CliError, ExitCode
from parcel_watch.cli.session import open_store, run


def _sources() -> dict[str, object]:
    from parcel_watch.poller import configured_credentials

    creds = configured_credentials()
    if not creds:
        raise CliError(
            "no carrier source is configured",
            hint="set e.g. PARCEL_WATCH_FEDEX_CLIENT_ID/_CLIENT_SECRET or PARCEL_WATCH_17TRACK_API_KEY "
            "(or try: parcel-watch demo)",
            code=ExitCode.INVALID,
        )
    return dict(creds)


def cmd_poll(args: argparse.Namespace) -> int:
    from parcel_watch.poller import configured_credentials, health, scheduler_for

    _sources()

    async def once() -> dict[str, object]:
        async with open_store(args.db) as store, scheduler_for(store, configured_credentials()) as scheduler:
            stats = await scheduler.poll_once()
            return {
                "polled": stats.polled,
                "new_events": stats.new_events,
                "errors": stats.errors,
                "failed_batches": stats.failed_batches,
                "sources": health(scheduler),
            }

    summary = run(once())
    if args.json:
        output.emit_json(summary)
    else:
        output.message(
            f"polled {summary['polled']} shipments: {summary['new_events']} new events, {summary['errors']} errors"
        )
        for slug, h in summary["sources"].items():  # type: ignore[attr-defined]
            if not h["ok"]:
                output.message(
                    f"{slug}: failing since {h['failing_since']}: {h['last_error']}", prefix="warning: "
                )
    return ExitCode.OK


def cmd_watch(args: argparse.Namespace) -> int:
    from parcel_watch.poller import configured_credentials, scheduler_for, watch

    _sources()

    async def forever() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with open_store(args.db) as store, scheduler_for(store, configured_credentials()) as scheduler:
            output.message("watching; Ctrl-C stops after the poll in flight is stored")
            total = await watch(scheduler, stop)
        output.message(f"stopped: {total.polled} polls, {total.new_events} new events")

    run(forever())
    return ExitCode.OK
