"""``parcel-watch worker``: one of any number of pollers sharing a (PostgreSQL) store.

Workers only poll. The anomaly rules and notifications run in one process beside them
(``parcel-watch serve``), so no message is sent twice by two workers."""

from __future__ import annotations

import argparse
import logging

from parcel_watch.cli import output
from parcel_watch.cli.commands_poll import _sources
from parcel_watch.cli.errors import CliError, ExitCode
from parcel_watch.cli.session import open_store, run, stop_on_signals


def parse_rates(values: list[str] | None) -> dict[str, float]:
    """``SLUG=PER_S`` pairs: request rates overriding the documented ones."""
    rates: dict[str, float] = {}
    for value in values or []:
        slug, sep, number = value.partition("=")
        try:
            rate = float(number)
        except ValueError:
            rate = -1.0
        if not sep or not slug or not rate > 0 or rate == float("inf"):
            raise CliError(
                f"bad --rate {value!r}",
                hint="write SOURCE=REQUESTS_PER_SECOND, e.g. dhl=1",
                code=ExitCode.INVALID,
            )
        rates[slug.strip().lower()] = rate
    return rates


def _check(args: argparse.Namespace) -> None:
    for name in ("concurrency", "lease"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            raise CliError(f"--{name} must be at least 1", code=ExitCode.INVALID)
    if args.lease_seconds <= args.request_timeout:
        raise CliError(
            f"--lease-seconds ({args.lease_seconds:g}) must be longer than a request's timeout "
            f"({args.request_timeout:g} s)",
            code=ExitCode.INVALID,
        )


def cmd_worker(args: argparse.Namespace) -> int:
    from parcel_watch.poller import health, scheduler_for
    from parcel_watch.worker import Worker, default_name

    sources = _sources()
    _check(args)
    rates = parse_rates(args.rate)
    name = args.name or default_name()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    async def forever() -> dict[str, object]:
        stop = stop_on_signals()
        async with (
            open_store(args.db) as store,
            scheduler_for(
                store,
                sources,
                timeout_s=args.request_timeout,
                concurrency=args.concurrency,
                rates=rates,
                shared_rates=True,
            ) as scheduler,
        ):
            # Small leases keep the work spread evenly over the workers: two rounds in flight
            # of twice what the sources can ask at once keep every request slot busy.
            lease = args.lease or 2 * args.concurrency * len(scheduler.coordinators)
            worker = Worker(
                scheduler,
                name=name,
                lease_size=lease,
                lease_s=args.lease_seconds,
                request_timeout_s=args.request_timeout,
            )
            if store.engine.dialect.name == "sqlite":
                output.message(
                    "a SQLite store takes one writer at a time: run workers on PostgreSQL to scale"
                )
            output.message(f"worker {name}: polling; Ctrl-C stops after the rounds in flight are stored")
            await worker.run(stop)
            return {
                "worker": name,
                "polled": worker.polls.polled,
                "new_events": worker.polls.new_events,
                "errors": worker.polls.errors,
                "failed_batches": worker.polls.failed_batches,
                **worker.stats.as_dict(),
                "sources": health(scheduler),
            }

    summary = run(forever())
    if args.json:
        output.emit_json(summary)
    else:
        output.message(
            f"worker {name} stopped: {summary['polled']} polls, {summary['new_events']} new events, "
            f"{summary['leases']} leases"
        )
    return ExitCode.OK
