"""The main job on the embedded default: the sandbox carrier, a fresh SQLite store, and the
real adapters and poller between them, on a simulated clock.

Shipments across carriers and scenarios ship over the past weeks; the poller then runs from
the first shipment to "now" in simulated time, jumping straight to each next due poll, so a
month of tracking takes seconds and every scan lands in the past.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import SecretStr

from carriers import ADAPTERS
from carriers.credentials import Credentials
from carriers.errors import RateLimited
from carriers.sandbox.journeys import Scenario
from carriers.sandbox.server import start
from carriers.sandbox.world import SandboxClock, SandboxWorld
from claims.claiming import draft_open_claims
from claims.evaluation import open_anomalies
from claims.lifecycle import StoredClaim
from parcel_watch.demoview import DemoState, Row, SourceState
from parcel_watch.detect.samples import sample_number
from parcel_watch.model import CarrierSource, Shipment, TrackingEvent
from parcel_watch.poller import health, scheduler_for
from parcel_watch.scheduler import Health, Scheduler
from parcel_watch.store import Store

# (carrier slug as detection names it, number format) — S10 items go through 17TRACK.
CARRIERS = (
    ("fedex", "fedex_12"),
    ("ups", "ups"),
    ("dhl", "dhl_express"),
    ("usps", "usps_impb_c"),
    ("s10", "s10"),
)
HISTORY = timedelta(days=40)
SANDBOX_KEY = SecretStr("sandbox")
STEP = timedelta(hours=1)  # the simulation starts this long before now


class Watcher(Protocol):
    """Progress display. A state costs a few queries, so the watcher says which steps it
    will actually show rather than being handed every one."""

    def wants(self, step: int) -> bool: ...

    def show(self, state: DemoState) -> None: ...


class VirtualTime:
    """Seconds the simulation has advanced; the sandbox clock and the poller both read it."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        self.seconds += seconds


async def run_demo(
    store: Store,
    *,
    seed: int = 7,
    per_scenario: int = 1,
    now: datetime | None = None,
    max_steps: int | None = None,
    watcher: Watcher | None = None,
    after_step: Callable[[datetime], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """Run the demo and return its summary. ``watcher`` is shown the state after the steps
    it wants and once more at the end (``done``); ``max_steps`` cuts the run short;
    ``after_step`` is awaited with the simulated time after each step's poll (the
    dashboard evaluates the rules there, so anomalies appear as the journeys unfold)."""
    now = now or datetime.now(UTC)
    virtual = VirtualTime()
    clock = SandboxClock(now - HISTORY, speed=1.0, real=virtual)
    world = SandboxWorld(clock=clock, seed=seed, token_ttl_s=10**9)
    rng = random.Random(seed)
    shipments = []
    for carrier, fmt in CARRIERS:
        for scenario in Scenario:
            for _ in range(per_scenario):
                number = sample_number(fmt, rng)
                if carrier == "s10":
                    number = number[:-2] + "CN"  # cross-border: China Post origin
                shipped = clock.start + timedelta(hours=rng.uniform(0, 24 * 12))
                world.add(number, scenario, seed=seed, shipped_at=shipped)
                shipments.append(
                    Shipment(
                        tracking_number=number,
                        carrier=carrier,
                        carrier_source=CarrierSource.DETECTED,
                        label=f"demo: {scenario.value}",
                        origin_country="CN" if carrier == "s10" else None,
                    )
                )
    # A user adds a number when the order ships: each shipment enters the store at its
    # ship time in the simulation, not before.
    arrivals = sorted(
        zip((world.journeys[s.tracking_number].shipped_at for s in shipments), shipments, strict=True),
        key=lambda pair: pair[0],
    )

    runner, url = await start(world)
    try:
        creds = {
            slug: Credentials(
                slug=slug, api_key=SANDBOX_KEY, client_id="sandbox", client_secret=SANDBOX_KEY, base_url=url
            )
            for slug in ADAPTERS
        }

        def sim_now() -> datetime:
            return clock.now()

        polls = 0
        async with scheduler_for(store, creds, clock=sim_now, sleep=virtual.sleep) as scheduler:
            observer = Observer(store, scheduler)
            due: datetime | None = arrivals[0][0]
            step = 0
            while due is not None and due <= now and (max_steps is None or step < max_steps):
                # Jump to the next due poll, but in steps of at least STEP: polls due within
                # a step are sent together, as a real poller would batch them.
                target = max(due, clock.now() + STEP)
                virtual.seconds = (target - clock.start).total_seconds()
                while arrivals and arrivals[0][0] <= target:
                    arrived, shipment = arrivals.pop(0)
                    await store.add(shipment, now=arrived)
                stats = await scheduler.poll_once()
                polls += stats.polled
                step += 1
                if after_step is not None:
                    await after_step(clock.now())
                if watcher is not None and watcher.wants(step):
                    watcher.show(await observer.state(clock.now(), step, polls))
                due = await store.next_due_at()
                if arrivals and (due is None or arrivals[0][0] < due):
                    due = arrivals[0][0]
            sources = health(scheduler)
            if watcher is not None:
                watcher.show(await observer.state(clock.now(), step, polls, done=True))
    finally:
        await runner.cleanup()
    n_ship, n_ev = await store.count()
    listed = await store.list()
    # What the tracking found, at the simulated end: the anomaly rules, then every claim
    # those anomalies give (drafts only: nothing is filed in a demo).
    drafted = await draft_open_claims(store, clock.now(), by="demo")
    anomalies = await open_anomalies(store)
    return {
        "shipments": n_ship,
        "events": n_ev,
        "polls": polls,
        "by_status": dict(sorted(Counter(s.status.value for s in listed).items())),
        "by_carrier": dict(sorted(Counter(s.carrier for s in listed).items())),
        # Problems a user must look at: shipments whose last poll failed. Not-found answers
        # before a parcel's first scan are expected and not counted.
        "errors": sum(1 for s in listed if s.poll_error),
        "sources": sources,
        "anomalies": dict(sorted(Counter(a.kind.value for a in anomalies).items())),
        "claims": dict(sorted(Counter(_claim_kind(c) for c in drafted.claims).items())),
    }


def _claim_kind(claim: StoredClaim) -> str:
    """A claim by whom it is addressed to and what for: ``carrier:loss``, ``seller:non_delivery``…"""
    return f"{claim.respondent.value}:{claim.incident.value}"


class Observer:
    """Builds the view's state after a step. Only shipments whose state changed since the
    last call have their timeline read again, so watching costs little next to polling."""

    def __init__(self, store: Store, scheduler: Scheduler) -> None:
        self.store, self.scheduler = store, scheduler
        self._seen: dict[int, tuple[object, ...]] = {}
        self._rows: dict[int, Row] = {}

    async def state(self, now: datetime, step: int, polls: int, *, done: bool = False) -> DemoState:
        listed = {s.id: s for s in await self.store.list() if s.id is not None}
        changed = [sid for sid, s in listed.items() if self._seen.get(sid) != _fingerprint(s)]
        timelines = await self.store.timelines(changed)
        for sid in changed:
            s, last = listed[sid], timelines.get(sid) or []
            self._seen[sid] = _fingerprint(s)
            self._rows[sid] = _row(s, last[-1] if last else None, now)
        _, n_events = await self.store.count()
        return DemoState(
            now=now,
            step=step,
            rows=tuple(self._rows[sid] for sid in listed),
            events=n_events,
            polls=polls,
            sources=tuple(_source(slug, c.health) for slug, c in self.scheduler.coordinators.items()),
            done=done,
        )


def _fingerprint(s: Shipment) -> tuple[object, ...]:
    return (s.status, s.substatus, s.last_event_at, s.poll_error)


def _row(s: Shipment, last: TrackingEvent | None, now: datetime) -> Row:
    place = ""
    if last is not None:
        loc = last.location
        place = ", ".join(p for p in (loc.city, loc.country) if p)
    return Row(
        number=s.tracking_number,
        carrier=s.carrier,
        status=s.status,
        label=s.label,
        substatus=s.substatus,
        description=last.description if last is not None else "",
        place=place,
        last_scan=s.last_event_at,
        changed_at=now,
        error=s.poll_error,
    )


def _source(slug: str, h: Health) -> SourceState:
    limited = h.last_error is not None and h.last_error.startswith(f"{RateLimited.kind}:")
    return SourceState(slug, h.failing_since, h.retry_at, h.last_error, rate_limited=limited)
