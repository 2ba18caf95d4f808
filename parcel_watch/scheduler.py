"""The poller: one coordinator per source, in the Home Assistant spirit.

A source failing (auth refused, rate limited, carrier down) is recorded state — on the
shipments it could not poll and on the coordinator — and is logged when it starts and
when it recovers, not on every try. Each poll schedules the next from the policy in
``polling``; failures back off with jitter, never sooner than a Retry-After. Clock, sleep
and randomness are injected, so tests run on fake time.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Protocol

from carriers.base import Fetched
from carriers.errors import AuthError, CarrierError, NotFound, RateLimited
from parcel_watch.model import Shipment, Source
from parcel_watch.polling import Backoff, PollPolicy, PollState, next_poll
from parcel_watch.store import IngestItem, IngestResult, RawPayload, Store
from parcel_watch.store.schedule import PollRecord

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


class PollSource(Protocol):
    SLUG: ClassVar[str]
    max_batch: int

    async def fetch(
        self, numbers: Sequence[str], known: Mapping[str, int] | None = None
    ) -> list[Fetched]: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Health:
    """What the user sees about a source: working, or failing since when and why."""

    failures: int = 0
    failing_since: datetime | None = None
    last_error: str | None = None
    retry_at: datetime | None = None


@dataclass
class PollStats:
    polled: int = 0
    new_events: int = 0
    errors: int = 0
    failed_batches: int = 0
    unchanged: int = 0  # shipments whose carrier document was the same as at the last poll

    def add(self, other: PollStats) -> None:
        self.polled += other.polled
        self.unchanged += other.unchanged
        self.new_events += other.new_events
        self.errors += other.errors
        self.failed_batches += other.failed_batches


SEEN_LIMIT = 1_000_000


class BoundedMap(dict[int, int]):
    """A dict that forgets its oldest entry once full, so memory stays bounded."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: int, value: int) -> None:
        if key not in self and len(self) >= self.limit:
            del self[next(iter(self))]
        super().__setitem__(key, value)


class Limiter(Protocol):
    """Paces a source's requests: ``wait`` before each; ``hold`` after a Retry-After."""

    async def wait(self, start_by: datetime | None = None) -> datetime | None:
        """Sleep until the request may go and return None; or, when it could only go after
        ``start_by`` (or much later), return at once the time it could."""
        ...

    async def hold(self, until: datetime) -> None: ...


class RateLimiter:
    """At most ``per_s`` requests a second (token bucket), on the injected clock."""

    def __init__(self, per_s: float | None, clock: Clock, sleep: Sleep) -> None:
        self.interval = 1.0 / per_s if per_s else 0.0
        self.clock, self.sleep = clock, sleep
        self._next = datetime.min.replace(tzinfo=UTC)
        self._lock = asyncio.Lock()

    async def wait(self, start_by: datetime | None = None) -> datetime | None:
        async with self._lock:
            now = self.clock()
            if start_by is not None and max(now, self._next) > start_by:
                return self._next
            if not self.interval:
                return None
            if self._next > now:
                await self.sleep((self._next - now).total_seconds())
                now = self._next
            self._next = now + timedelta(seconds=self.interval)
            return None

    async def hold(self, until: datetime) -> None:
        self._next = max(self._next, until)


@dataclass
class Coordinator:
    source: PollSource
    store: Store
    clock: Clock = utc_now
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    policy: PollPolicy = field(default_factory=PollPolicy)
    backoff: Backoff = field(default_factory=Backoff)
    concurrency: int = 4
    rate_per_s: float | None = None
    health: Health = field(default_factory=Health)
    # Shared by several processes (workers); else a local token bucket at ``rate_per_s``.
    limiter: Limiter | None = None

    def __post_init__(self) -> None:
        self._limiter = self.limiter or RateLimiter(self.rate_per_s, self.clock, self.sleep)
        self._paced_until: datetime | None = None
        self._slots = asyncio.Semaphore(self.concurrency)
        # Shipment id -> fingerprint of the carrier's document for it at the last stored poll,
        # so an unchanged document is neither parsed nor ingested again (in memory only).
        self._seen: BoundedMap = BoundedMap(SEEN_LIMIT)

    def resume_at(self) -> datetime | None:
        """When this source may be asked again, if not now: after a failure's backoff, or
        when the shared pacing has no request slot for it before then."""
        now = self.clock()
        later = [t for t in (self.health.retry_at, self._paced_until) if t is not None and t > now]
        return max(later) if later else None

    def backing_off(self) -> bool:
        return self.resume_at() is not None

    async def poll(self, shipments: Sequence[Shipment], *, start_by: datetime | None = None) -> PollStats:
        """Poll these shipments (already due) once; their next poll times are recorded.
        No request starts after ``start_by`` (a worker's lease would end before its answer):
        those shipments are left unrecorded, for the caller to hand back."""
        stats = PollStats()
        if self.backing_off():
            return stats  # the shipments stay due for later
        size = max(1, self.source.max_batch)
        batches = [list(shipments[i : i + size]) for i in range(0, len(shipments), size)]
        await asyncio.gather(*(self._poll_batch(b, stats, start_by) for b in batches))
        return stats

    async def _poll_batch(self, batch: list[Shipment], stats: PollStats, start_by: datetime | None) -> None:
        by_number = {s.tracking_number: s for s in batch}
        known = {s.tracking_number: fp for s in batch if (fp := self._seen.get(s.id or 0)) is not None}
        async with self._slots:
            if self.backing_off():
                return  # another batch of this poll failed meanwhile
            not_before = await self._limiter.wait(start_by)
            if not_before is not None:
                # No slot in time: the other batches of this poll need not queue for one.
                self._paced_until = max(not_before, self._paced_until or not_before)
                return
            if start_by is not None and self.clock() > start_by:
                return
            try:
                answers = await self.source.fetch(list(by_number), known)
            except CarrierError as exc:
                stats.failed_batches += 1
                await self._failed(batch, exc)
                return
            self._recovered()
        items: list[IngestItem] = []
        problems: dict[str, str] = {}
        fingerprints: dict[str, int] = {}
        for answer in answers:
            # The answer belongs to the shipments we asked about, whatever carrier name an
            # aggregator gives them; numbers we did not ask about are not ours to create.
            for parsed in answer.result.shipments:
                if parsed.fingerprint is not None and parsed.tracking_number in by_number:
                    fingerprints[parsed.tracking_number] = parsed.fingerprint
                    stats.unchanged += parsed.unchanged
            updates = [
                u.model_copy(update={"carrier": by_number[u.tracking_number].carrier})
                for u in answer.result.updates()
                if u.tracking_number in by_number
            ]
            for err in answer.result.errors:
                stats.errors += 1
                if err.tracking_number in by_number and not isinstance(err, NotFound):
                    problems[err.tracking_number] = f"{err.kind}: {err.message}"
            if updates or answer.result.errors:  # an answer with nothing new is not kept again
                payload = RawPayload(
                    self.source.SLUG, answer.raw, Source.POLL, answer.content_type, received_at=self.clock()
                )
                items.append(IngestItem(updates, payload))
        now = self.clock()

        def plan(ingested: IngestResult) -> list[PollRecord]:
            records = []
            for s in batch:
                after = ingested.shipments.get((s.carrier, s.tracking_number))
                state = _poll_state(s)
                if after is not None:
                    state = replace(
                        state,
                        status=after.state.status,
                        last_event_at=after.state.last_event_at,
                        estimated_delivery=after.estimated_delivery,
                    )
                when = next_poll(state, now, self.policy)
                records.append(PollRecord(s.id or 0, when, problems.get(s.tracking_number)))
            return records

        ingested = await self.store.ingest_polled(items, now, plan)
        # The result may be a whole group's: count this batch's shipments only.
        stats.new_events += sum(ingested.new_by_shipment.get(s.id or 0, 0) for s in batch)
        stats.polled += len(batch)
        # Remembered only once stored: an unchanged document is then known to be in the store.
        for number, fp in fingerprints.items():
            if number not in problems and (sid := by_number[number].id) is not None:
                self._seen[sid] = fp

    async def _failed(self, batch: list[Shipment], exc: CarrierError) -> None:
        now = self.clock()
        h = self.health
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        wait = 0.0
        if h.retry_at is None or now >= h.retry_at:
            # The first failure of a poll counts; the batches in flight with it meet the same
            # outage (a per-number API has many) and must not double the backoff each.
            h.failures += 1
            wait = self.backoff.delay(h.failures, self.rng, retry_after)
            if isinstance(exc, AuthError):
                wait = max(wait, 3600.0)  # refused credentials do not fix themselves quickly
            h.retry_at = now + timedelta(seconds=wait)
        elif retry_after is not None:
            h.retry_at = max(h.retry_at, now + timedelta(seconds=retry_after))
        if retry_after is not None:
            await self._limiter.hold(now + timedelta(seconds=retry_after))  # for every worker
        h.last_error = f"{exc.kind}: {exc.message}"
        if h.failing_since is None:
            h.failing_since = now
            log.warning("source %s failing: %s (retrying in %.0f s)", self.source.SLUG, h.last_error, wait)
        records = [PollRecord(s.id or 0, h.retry_at, h.last_error) for s in batch]
        await self.store.record_polls(now, records)

    def _recovered(self) -> None:
        h = self.health
        if h.failing_since is not None:
            log.info("source %s recovered after %d failures", self.source.SLUG, h.failures)
        self.health = Health()


def _poll_state(s: Shipment) -> PollState:
    promised = (
        datetime.combine(s.promised_delivery, datetime.min.time(), UTC) if s.promised_delivery else None
    )
    return PollState(s.status, s.created_at, s.last_event_at, s.estimated_delivery, promised)


@dataclass
class Scheduler:
    """Routes due shipments to their source's coordinator and polls them."""

    store: Store
    coordinators: Mapping[str, Coordinator]  # source slug -> coordinator
    route: Callable[[Shipment], str | None]  # shipment -> source slug (None: no source)
    clock: Clock = utc_now
    batch_limit: int = 5000

    async def poll_once(self) -> PollStats:
        now = self.clock()
        return await self.poll_these(await self.store.due(now, limit=self.batch_limit), now)

    async def poll_these(
        self, due: Sequence[Shipment], now: datetime, *, start_by: datetime | None = None
    ) -> PollStats:
        """Poll ``due`` through their sources; those without a source wait a transit interval."""
        groups: dict[str, list[Shipment]] = {}
        unrouted = []
        for s in due:
            slug = self.route(s)
            if slug is None or slug not in self.coordinators:
                unrouted.append(s)
            else:
                groups.setdefault(slug, []).append(s)
        if unrouted:
            later = now + PollPolicy().in_transit
            await self.store.record_polls(
                now,
                [
                    PollRecord(s.id or 0, later, f"no source configured for carrier {s.carrier!r}")
                    for s in unrouted
                ],
            )
        total = PollStats()
        polls = (self.coordinators[k].poll(v, start_by=start_by) for k, v in groups.items())
        for stats in await asyncio.gather(*polls):
            total.add(stats)
        return total
