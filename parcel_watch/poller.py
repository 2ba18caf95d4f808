"""Assembling the poller: configured sources -> coordinators -> scheduler (composition root)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, timedelta

from carriers import ADAPTERS, client_class
from carriers.credentials import Credentials, load
from carriers.http import CarrierHttp
from parcel_watch.routing import choose_source
from parcel_watch.scheduler import Clock, Coordinator, PollStats, Scheduler, Sleep, utc_now
from parcel_watch.store import Store
from parcel_watch.worker import SharedLimiter

log = logging.getLogger(__name__)

# Documented per-API request rates (carrier-apis.md): DHL ~1/s, 17TRACK 3/s, AfterShip 5-10/s.
RATES = {"dhl": 1.0, "17track": 3.0, "aftership": 5.0}
DB_RETRY_S = 10.0  # after a poll the database failed: wait this long, then try again


def configured_credentials(env: Mapping[str, str] | None = None) -> dict[str, Credentials]:
    creds = {slug: load(slug, env) for slug in ADAPTERS}
    return {slug: c for slug, c in creds.items() if c.usable}


@asynccontextmanager
async def scheduler_for(
    store: Store,
    credentials: Mapping[str, Credentials],
    *,
    clock: Clock = utc_now,
    sleep: Sleep = asyncio.sleep,
    timeout_s: float = 20.0,
    concurrency: int = 4,
    rates: Mapping[str, float] | None = None,
    shared_rates: bool = False,
) -> AsyncIterator[Scheduler]:
    """Coordinators for the configured sources. ``rates`` overrides the documented request
    rates (per second); ``shared_rates`` paces them through the database, for workers."""
    rates = {**RATES, **(rates or {})}
    async with AsyncExitStack() as stack:
        coordinators = {}
        for slug, creds in credentials.items():
            http = await stack.enter_async_context(CarrierHttp(slug, timeout_s=timeout_s))
            client = client_class(slug)(http, creds)
            rate = rates.get(slug)
            shared = (
                SharedLimiter(store, slug, rate, clock=clock, sleep=sleep) if shared_rates and rate else None
            )
            coordinators[slug] = Coordinator(
                client,
                store,
                clock=clock,
                sleep=sleep,
                rate_per_s=rate,
                concurrency=concurrency,
                limiter=shared,
            )
        configured = frozenset(coordinators)
        yield Scheduler(
            store,
            coordinators,
            route=lambda s: choose_source(s.carrier, configured, s.origin_country),
            clock=clock,
        )


def health(scheduler: Scheduler) -> dict[str, dict[str, object]]:
    """Each source's state, as shown to the user."""
    out: dict[str, dict[str, object]] = {}
    for slug, c in scheduler.coordinators.items():
        h = c.health
        out[slug] = {
            "ok": h.failing_since is None,
            "failing_since": h.failing_since.isoformat() if h.failing_since else None,
            "last_error": h.last_error,
            "retry_at": h.retry_at.isoformat() if h.retry_at else None,
        }
    return out


async def watch(
    scheduler: Scheduler,
    stop: asyncio.Event,
    *,
    idle: timedelta = timedelta(seconds=60),
    after_poll: Callable[[PollStats], None] | None = None,
) -> PollStats:
    """Poll whatever is due until ``stop`` is set; a poll in flight always completes.
    ``after_poll`` is told each poll's stats once written; it must return at once (the
    notifier only takes a hint from it and works in a task of its own)."""
    total = PollStats()
    while not stop.is_set():
        db_failed = False
        try:
            stats = await scheduler.poll_once()
        except Exception as exc:  # noqa: BLE001 - the database outlasted the store's retries
            # Nothing half-written: the shipments stay due, and the next poll takes them.
            # First line only: SQLAlchemy appends the statement and its parameters.
            reason = str(exc).splitlines()[0][:200] if str(exc) else ""
            log.error("poll failed: %s: %s (retrying in %.0f s)", type(exc).__name__, reason, DB_RETRY_S)
            stats, db_failed = PollStats(failed_batches=1), True
        total.add(stats)
        if after_poll is not None:
            after_poll(stats)
        try:
            pause = DB_RETRY_S if db_failed else await _until_next_due(scheduler, idle)
        except Exception:  # noqa: BLE001 - as above: wait, then try again
            pause = DB_RETRY_S
        try:
            await asyncio.wait_for(stop.wait(), timeout=pause)
        except TimeoutError:
            pass
    return total


async def _until_next_due(scheduler: Scheduler, idle: timedelta) -> float:
    now: datetime = scheduler.clock()
    upcoming = await scheduler.store.next_due_at()
    if upcoming is None:
        return idle.total_seconds()
    return max(1.0, min(idle.total_seconds(), (upcoming - now).total_seconds()))
