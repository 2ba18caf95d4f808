"""``parcel-watch poll`` (everything due, once) and ``parcel-watch watch`` (until stopped);
both evaluate the anomaly rules and send notifications after polling (``notify``)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from parcel_watch.cli import output
from parcel_watch.cli.errors import CliError, ExitCode
from parcel_watch.cli.session import open_store, run, stop_on_signals
from parcel_watch.config import config_file_path

if TYPE_CHECKING:
    from carriers.credentials import Credentials
    from claims.rules.thresholds import ThresholdTable
    from parcel_watch.store import Store

NOTIFY_BUDGET_S = 30


def checked_credentials() -> dict[str, Credentials]:
    """The carrier credentials given in the environment, each checked before any request:
    one with the wrong kind of credentials or half of a pair is a configuration error (exit 5)
    naming the missing variables — not an AuthError in the middle of the poll."""
    from carriers import ADAPTERS
    from carriers.credentials import load, problem

    given = {slug: creds for slug in ADAPTERS if (creds := load(slug)).given}
    problems = [p for creds in given.values() if (p := problem(creds)) is not None]
    if problems:
        raise CliError(
            "carrier credentials incomplete: " + "; ".join(problems),
            hint="set the missing variables, or unset the others to leave that carrier out",
            code=ExitCode.DATABASE,
        )
    return given


def _sources() -> dict[str, Credentials]:
    """The checked carrier sources; none at all is an error too."""
    given = checked_credentials()
    if not given:
        raise CliError(
            "no carrier source is configured",
            hint="set e.g. PARCEL_WATCH_FEDEX_CLIENT_ID/_CLIENT_SECRET or PARCEL_WATCH_17TRACK_API_KEY "
            "(or try: parcel-watch demo)",
            code=ExitCode.INVALID,
        )
    return given


def rules_table() -> ThresholdTable:
    from claims.rules.thresholds import ThresholdError, ThresholdTable

    try:
        return ThresholdTable.load(config_file_path())
    except ThresholdError as exc:
        raise CliError(f"bad rules configuration: {exc}", code=ExitCode.DATABASE) from exc


def prepare_notifications(store: Store, rules: ThresholdTable) -> Callable[[], Awaitable[object]]:
    """Before notifications: the anomaly rules, so the anomalies they open are told too."""
    from claims.evaluation import evaluate

    return lambda: evaluate(store, datetime.now(UTC), thresholds=rules)


def cmd_poll(args: argparse.Namespace) -> int:
    from parcel_watch.cli.commands_notify import load_settings
    from parcel_watch.notify import Notifier
    from parcel_watch.poller import health, scheduler_for

    sources = _sources()
    settings, rules = load_settings(), rules_table()

    async def once() -> dict[str, object]:
        async with open_store(args.db) as store, scheduler_for(store, sources) as scheduler:
            stats = await scheduler.poll_once()
            summary: dict[str, object] = {
                "polled": stats.polled,
                "new_events": stats.new_events,
                "errors": stats.errors,
                "failed_batches": stats.failed_batches,
                "sources": health(scheduler),
            }
            # A poll from cron tells what it found too (and retries what failed before),
            # for at most NOTIFY_BUDGET_S: the poll itself is already stored.
            try:
                async with asyncio.timeout(NOTIFY_BUDGET_S):
                    await prepare_notifications(store, rules)()
                    sent = await Notifier(store, settings).run_once()
                summary["notifications"] = {"sent": sent.sent, "failed": sent.failed}
            except TimeoutError:
                output.message(f"notifications: not done within {NOTIFY_BUDGET_S} s", prefix="warning: ")
            return summary

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
    from parcel_watch.cli.commands_notify import load_settings
    from parcel_watch.notify import notifying
    from parcel_watch.poller import scheduler_for, watch

    sources = _sources()
    settings, rules = load_settings(), rules_table()

    async def forever() -> None:
        stop = stop_on_signals()
        async with (
            open_store(args.db) as store,
            scheduler_for(store, sources) as scheduler,
            notifying(store, settings, prepare=prepare_notifications(store, rules)) as notifier,
        ):
            output.message("watching; Ctrl-C stops after the poll in flight is stored")
            # Notifications run in their own task: a poll only tells them to look.
            total = await watch(scheduler, stop, after_poll=lambda _: notifier.kick())
        output.message(f"stopped: {total.polled} polls, {total.new_events} new events")

    run(forever())
    return ExitCode.OK
