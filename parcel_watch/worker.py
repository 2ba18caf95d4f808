"""One of many pollers on one database: lease due shipments, poll them, hand back the rest.

``watch`` polls everything due in one process. A ``Worker`` does the same work in leased
batches, so any number of them (processes, machines) share a PostgreSQL store:

- a lease (see ``store.leases``) makes a shipment invisible to the others until it ends;
  a worker that dies just lets its leases run out, and the shipments fall due again;
- no request starts within ``request_timeout_s`` of a lease's end, so a shipment is never
  polled by two workers at once, even when a slow worker's lease is taken over;
- every source's requests are paced by :class:`SharedLimiter` through the database, so
  the documented rate holds for all workers together;
- shipments leased but not polled (the source is backing off, the lease ran short, the
  worker is stopping) are handed back at once instead of waiting for the lease to end.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from parcel_watch.model import Shipment
from parcel_watch.scheduler import Clock, PollStats, Scheduler, Sleep, utc_now
from parcel_watch.store import Store

log = logging.getLogger(__name__)

# Requests are paced for this share of a documented rate: network jitter can bunch two
# requests into one second at the carrier, and the margin keeps that second within the rate.
RATE_HEADROOM = 0.9
MAX_WAIT_S = 10.0
WRITE_LINGER_S = 0.05
Slot = tuple[float, bool]  # (epoch seconds, granted: the request may go then)


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class SharedLimiter:
    """A source's request slots, reserved in the database for every worker at once.

    Requests waiting at the same moment share one reservation (one short write), so the cost
    in transactions falls as the load rises; each waiter then sleeps until its own slot."""

    def __init__(
        self,
        store: Store,
        source: str,
        per_s: float,
        *,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        headroom: float = RATE_HEADROOM,
    ) -> None:
        self.store, self.source = store, source
        self.interval = 1.0 / (per_s * headroom)
        self.clock, self.sleep = clock, sleep
        self._waiting: list[tuple[float | None, asyncio.Future[Slot]]] = []
        self._reserving: asyncio.Task[None] | None = None

    async def wait(self, start_by: datetime | None = None) -> datetime | None:
        slot: asyncio.Future[Slot] = asyncio.get_running_loop().create_future()
        # A slot further off than MAX_WAIT_S (a Retry-After another worker met) is not taken:
        # the request's shipments are better handed back than held in a sleeping lease.
        latest = self.clock().timestamp() + MAX_WAIT_S
        self._waiting.append((min(start_by.timestamp(), latest) if start_by else latest, slot))
        if self._reserving is None or self._reserving.done():
            self._reserving = asyncio.create_task(self._reserve())
        when, granted = await slot
        if not granted:
            return datetime.fromtimestamp(when, UTC)
        delay = when - self.clock().timestamp()
        if delay > 0:
            await self.sleep(delay)
        return None

    async def _reserve(self) -> None:
        while self._waiting:
            waiting, self._waiting = self._waiting, []
            by_deadline: dict[float | None, list[asyncio.Future[Slot]]] = {}
            for deadline, waiter in waiting:
                by_deadline.setdefault(deadline, []).append(waiter)
            for deadline, group in by_deadline.items():
                await self._reserve_for(group, deadline)

    async def _reserve_for(self, group: list[asyncio.Future[Slot]], deadline: float | None) -> None:
        try:
            first, granted = await self.store.reserve_slots(
                self.source, self.clock().timestamp(), self.interval, len(group), deadline
            )
        except Exception as exc:  # noqa: BLE001 - each waiter's poll fails with it
            for waiter in group:
                if not waiter.done():
                    waiter.set_exception(exc)
            return
        free = first + granted * self.interval  # the first slot nobody took
        for i, waiter in enumerate(group):
            if not waiter.done():  # a cancelled waiter's slot simply goes unused
                waiter.set_result((first + i * self.interval, True) if i < granted else (free, False))

    async def hold(self, until: datetime) -> None:
        await self.store.hold_source(self.source, until.timestamp())


@dataclass
class WorkerStats:
    leases: int = 0
    leased: int = 0
    handed_back: int = 0
    failed_rounds: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


class Worker:
    def __init__(
        self,
        scheduler: Scheduler,
        *,
        name: str | None = None,
        lease_size: int = 100,
        lease_s: float = 120.0,
        request_timeout_s: float = 20.0,
        lanes: int = 2,
        idle_s: float = 5.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if lease_s <= request_timeout_s:
            raise ValueError(f"a lease ({lease_s:g} s) must outlast a request ({request_timeout_s:g} s)")
        self.scheduler = scheduler
        self.store: Store = scheduler.store
        # Single-number APIs hand in one shipment per answer: write them in groups.
        self.store.group_polled_writes(WRITE_LINGER_S)
        self.clock: Clock = scheduler.clock
        self.name = name or default_name()
        self.lease_size, self.lease_s = lease_size, lease_s
        self.request_timeout_s = request_timeout_s
        self.lanes, self.idle_s, self.sleep = lanes, idle_s, sleep
        self.polls = PollStats()
        self.stats = WorkerStats()
        self._leases = 0

    async def run(
        self, stop: asyncio.Event, *, after_round: Callable[[PollStats], None] | None = None
    ) -> None:
        """Lease and poll until ``stop`` is set; a round in flight is finished and stored.

        ``lanes`` rounds run at once, so the next lease is already being polled while the
        last answers of the previous one come in."""
        await asyncio.gather(*(self._lane(stop, after_round) for _ in range(self.lanes)))

    async def _lane(self, stop: asyncio.Event, after_round: Callable[[PollStats], None] | None) -> None:
        while not stop.is_set():
            try:
                polled = await self.round()
            except Exception as exc:  # noqa: BLE001 - a database hiccup: leases expire, try again
                self.stats.failed_rounds += 1
                log.error("worker %s: round failed: %s: %s", self.name, type(exc).__name__, exc)
                polled = None
            if polled is not None and after_round is not None:
                after_round(polled)
            if polled is None or not polled.polled:
                await self._pause(stop)

    async def round(self) -> PollStats | None:
        """Lease one batch, poll it, hand back what was not polled. None: nothing was due."""
        now = self.clock()
        until = now + timedelta(seconds=self.lease_s)
        # Each lease has its own owner tag: a lease that ran out and was taken over (by
        # another worker or another lane of this one) is no longer ours to hand back.
        self._leases += 1
        owner = f"{self.name}#{self._leases}"
        batch = await self.store.lease(now, self.lease_size, owner, until)
        if not batch:
            return None
        self.stats.leases += 1
        self.stats.leased += len(batch)
        start_by = until - timedelta(seconds=self.request_timeout_s)
        try:
            stats = await self.scheduler.poll_these(batch, now, start_by=start_by)
        finally:
            # Whatever was not recorded (source backing off, lease ran short, cancelled) is
            # handed back now rather than when the lease ends.
            self.stats.handed_back += await asyncio.shield(self._hand_back(owner, batch))
        self.polls.add(stats)
        return stats

    async def _hand_back(self, owner: str, batch: list[Shipment]) -> int:
        """Release what is still ours: due at once, or when its source stops backing off."""
        by_time: dict[datetime, list[int]] = {}
        now = self.clock()
        for s in batch:
            slug = self.scheduler.route(s)
            source = self.scheduler.coordinators.get(slug) if slug else None
            resume = source.resume_at() if source is not None else None
            by_time.setdefault(resume or now, []).append(s.id or 0)
        return sum([await self.store.release(owner, ids, when) for when, ids in by_time.items()])

    async def _pause(self, stop: asyncio.Event) -> None:
        pause = self.idle_s
        upcoming = await self.store.next_due_at()
        if upcoming is not None:
            # Not sooner than a quarter second: shipments just handed back are due "now".
            pause = min(pause, max(0.25, (upcoming - self.clock()).total_seconds()))
        try:
            await asyncio.wait_for(stop.wait(), timeout=pause)
        except TimeoutError:
            pass
