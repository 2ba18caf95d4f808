"""What runs inside the dashboard as a worker and writes to the store: a poller or the demo.

A feed is an async callable given a :class:`FeedReport`; it reports after each write, so
the app reloads what it shows and updates the sources' health in the status bar."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from claims.evaluation import evaluate
from parcel_watch.demo import run_demo
from parcel_watch.demoview import DemoState, SourceState
from parcel_watch.notify import notifying
from parcel_watch.notify_config import NotifySettings
from parcel_watch.poller import health, scheduler_for
from parcel_watch.store import Store

if TYPE_CHECKING:  # the dashboard never talks to carriers; it only hands their keys on
    from carriers.credentials import Credentials


@dataclass
class FeedReport:
    """Callbacks into the app; the feed runs on the app's own event loop."""

    changed: Callable[[int], None]
    sources: Callable[[dict[str, dict[str, object]]], None]
    # Set by the app when the user asks for a refresh: a waiting poller polls at once.
    wake: asyncio.Event = field(default_factory=asyncio.Event)


Feed = Callable[[FeedReport], Awaitable[None]]


def source_health(state: SourceState) -> dict[str, object]:
    """The demo's view of a source in the shape :func:`parcel_watch.poller.health` gives."""
    return {
        "ok": state.ok,
        "failing_since": state.failing_since.isoformat() if state.failing_since else None,
        "last_error": state.last_error,
        "retry_at": state.retry_at.isoformat() if state.retry_at else None,
    }


def poller_feed(
    store: Store,
    credentials: Mapping[str, Credentials],
    clock: Callable[[], datetime],
    *,
    idle: timedelta = timedelta(seconds=60),
    notify: NotifySettings | None = None,
) -> Feed:
    """Poll what is due until cancelled; evaluate the anomaly rules after new events; the
    notifier (``notify``'s targets, and the shipments' watchers) runs beside, kicked after
    each poll, in a task of its own."""

    async def run(report: FeedReport) -> None:
        async with (
            scheduler_for(store, credentials, clock=clock) as scheduler,
            # Leaving the dashboard waits at most a second for a send in flight.
            notifying(store, notify or NotifySettings(), clock=clock, grace=1.0) as notifier,
        ):
            while True:
                stats = await scheduler.poll_once()
                if stats.new_events:
                    await evaluate(store, clock())
                notifier.kick()
                report.sources(health(scheduler))
                report.changed(stats.new_events)
                upcoming = await store.next_due_at()
                pause = idle if upcoming is None else min(idle, upcoming - clock())
                try:
                    await asyncio.wait_for(report.wake.wait(), timeout=max(1.0, pause.total_seconds()))
                except TimeoutError:
                    pass
                report.wake.clear()

    return run


class DemoClock:
    """The demo's simulated time once it runs (the wall clock before): the dashboard's
    ages and deadlines must read against the time the journeys are at, not today."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or datetime.now(UTC)


def demo_feed(store: Store, clock: DemoClock | None = None, **demo_args: Any) -> Feed:
    """The sandbox demo (simulated time, no accounts), shown live as it runs: after each
    step the anomaly rules run at the simulated time, then the screens reload."""

    class Shown:
        def wants(self, step: int) -> bool:
            return True

        def show(self, state: DemoState) -> None:
            report.sources({s.slug: source_health(s) for s in state.sources})
            report.changed(1)

    async def after_step(now: datetime) -> None:
        if clock is not None:
            clock.now = now
        await evaluate(store, now)

    report: FeedReport

    async def run(given: FeedReport) -> None:
        nonlocal report
        report = given
        await run_demo(store, watcher=Shown(), after_step=after_step, **demo_args)
        report.changed(1)

    return run
