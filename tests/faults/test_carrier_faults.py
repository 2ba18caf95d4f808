"""Carrier faults end to end: the sandbox carrier over real HTTP, the real poller
(``scheduler_for`` / ``watch``), a real SQLite store, three sources of which one is faulty.

Each test proves, with counts, that the other sources go on being polled, that the faulty
one backs off and recovers, that the user sees its state, and that what is stored equals
the sandbox's ground truth once the fault stops. Request-level faults of single adapters are
in tests/carriers/test_sandbox_server.py; this is what the poller and the store make of them.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from carriers.sandbox.faults import Faults
from carriers.sandbox.render_codes import ARRIVED, CODES_FEDEX
from carriers.sandbox.world import SandboxClock
from parcel_watch.poller import health, scheduler_for, watch
from parcel_watch.scheduler import PollStats, Scheduler
from parcel_watch.store import Store
from tests.faults.fault_support import (
    KEY,
    SOURCES,
    Sandbox,
    Sim,
    add_all,
    path,
    refresh_all,
    start_sandbox,
    stored,
)

ROOT = Path(__file__).resolve().parents[2]
OTHERS = ("ups", "dhl")  # the healthy sources when FedEx is the faulty one


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/faults.db")
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
def sim() -> Sim:
    return Sim()


async def serve(sim: Sim, store: Store, faults: Faults, per_source: int = 4) -> Sandbox:
    sandbox = await start_sandbox(sim, faults, per_source)
    await add_all(store, sandbox, sim.now)
    return sandbox


async def assert_ground_truth(store: Store, sandbox: Sandbox, slugs: tuple[str, ...] = tuple(SOURCES)) -> int:
    """Every shipment's stored timeline is the carrier's, each scan once and in time order."""
    total = 0
    for slug in slugs:
        for number in sandbox.numbers[slug]:
            want = sandbox.expected(slug, number)
            assert await stored(store, number) == want, (slug, number)
            total += len(want)
    return total


async def recover_and_check(store: Store, sandbox: Sandbox, sched: Scheduler, sim: Sim, slug: str) -> None:
    """The fault is gone: once the source's retry time comes, it works again and the store
    holds exactly the carrier's scans."""
    retry_at = sched.coordinators[slug].health.retry_at
    if retry_at is not None:
        sim.now = max(sim.now, retry_at)
    await refresh_all(store)
    stats = await sched.poll_once()
    assert stats.failed_batches == 0 and stats.errors == 0
    shown = health(sched)
    assert all(h["ok"] for h in shown.values()), shown
    for shipment in await store.list():
        assert (shipment.poll_error, shipment.poll_failures) == (None, 0), shipment.tracking_number
    assert await assert_ground_truth(store, sandbox) > 30


async def test_a_503_burst_backs_off_growing_while_the_other_sources_poll_then_recovers(
    sim: Sim, store: Store
) -> None:
    sandbox = await serve(sim, store, Faults(server_error=1.0, only=path("fedex")))
    try:
        async with scheduler_for(store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep) as sched:
            fedex = sched.coordinators["fedex"]
            first_failure = sim.now
            delays: list[float] = []
            for failures in range(1, 6):
                before = sandbox.requests.copy()
                stats = await sched.poll_once()
                assert stats.failed_batches == 1  # four FedEx numbers: one batch of the batch API
                assert sandbox.requests["fedex"] == before["fedex"] + 1
                retry_at = fedex.health.retry_at
                assert retry_at is not None
                delays.append((retry_at - sim.now).total_seconds())
                # Backoff with half jitter: 15-30 s, then 30-60 s, 60-120 s...
                ceiling = 30.0 * 2 ** (failures - 1)
                assert ceiling / 2 <= delays[-1] <= ceiling
                shown = health(sched)
                assert shown["fedex"] == {
                    "ok": False,
                    "failing_since": first_failure.isoformat(),
                    "last_error": shown["fedex"]["last_error"],
                    "retry_at": retry_at.isoformat(),
                }
                assert "HTTP 503" in str(shown["fedex"]["last_error"])
                assert all(shown[slug]["ok"] for slug in OTHERS)
                for number in sandbox.numbers["fedex"]:
                    [s] = await store.find(number)
                    assert (s.poll_failures, s.next_poll_at) == (failures, retry_at)
                    assert s.poll_error is not None and "HTTP 503" in s.poll_error
                # A poll before the retry time sends FedEx nothing; the others are polled when due.
                sim.now = retry_at - timedelta(seconds=1)
                await refresh_all(store)
                before = sandbox.requests.copy()
                assert (await sched.poll_once()).polled == 8
                assert sandbox.requests["fedex"] == before["fedex"]
                assert all(sandbox.requests[slug] == before[slug] + 4 for slug in OTHERS)
                sim.now = retry_at
            assert delays == sorted(delays) and delays[-1] > 8 * delays[0]
            sandbox.faults.server_error = 0.0
            await recover_and_check(store, sandbox, sched, sim, "fedex")
    finally:
        await sandbox.runner.cleanup()


async def test_retry_after_is_respected_and_the_user_sees_it_in_poll_json(tmp_path: Path) -> None:
    """`parcel-watch poll --json` in real processes against the sandbox: UPS answers 429 with
    Retry-After: 3600, DHL works. The second run an hour early asks UPS nothing."""
    sim = Sim()
    # The sandbox runs on the wall clock here: the command polls at the real time.
    clock = SandboxClock(datetime.now(UTC), 1.0)
    faults = Faults(rate_limit=1.0, retry_after_s=3600, only=path("ups"))
    sandbox = await start_sandbox(sim, faults, clock=clock)
    db = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    async with await Store.open(db) as store:
        await add_all(store, sandbox, datetime.now(UTC))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")} | {
        "PARCEL_WATCH_DB": db,
        "PARCEL_WATCH_UPS_CLIENT_ID": "sandbox",
        "PARCEL_WATCH_UPS_CLIENT_SECRET": KEY,
        "PARCEL_WATCH_UPS_BASE_URL": sandbox.url,
        "PARCEL_WATCH_DHL_API_KEY": KEY,
        "PARCEL_WATCH_DHL_BASE_URL": sandbox.url,
    }

    async def poll() -> dict[str, object]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "parcel_watch", "poll", "--json", env=env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0 and b"Traceback" not in err, err.decode()
        assert KEY not in out.decode() + err.decode()
        summary: dict[str, object] = json.loads(out)
        return summary

    try:
        began = datetime.now(UTC)
        summary = await poll()
        sources = summary["sources"]
        assert isinstance(sources, dict)
        ups, dhl = sources["ups"], sources["dhl"]
        assert dhl == {"ok": True, "failing_since": None, "last_error": None, "retry_at": None}
        assert ups["ok"] is False and "HTTP 429" in ups["last_error"]
        retry_at = datetime.fromisoformat(ups["retry_at"])
        assert retry_at - began >= timedelta(seconds=3600)
        assert summary["polled"] == 4 and summary["failed_batches"] in (1, 2, 3, 4)
        asked = sandbox.requests["ups"]
        assert 1 <= asked <= 4 and sandbox.requests["dhl"] == 4
        async with await Store.open(db) as store:
            for number in sandbox.numbers["ups"]:
                [s] = await store.find(number)
                assert s.poll_error is not None and "HTTP 429" in s.poll_error
                assert s.next_poll_at is not None and s.next_poll_at - began >= timedelta(seconds=3600)
                assert await stored(store, number) == []
            assert await assert_ground_truth(store, sandbox, ("dhl",)) > 0
        # A second run (cron, a minute later): nothing of UPS is due before its Retry-After.
        await poll()
        assert sandbox.requests["ups"] == asked
    finally:
        await sandbox.runner.cleanup()


async def test_a_hung_source_times_out_and_the_watch_loop_goes_on_polling_the_others(
    sim: Sim, store: Store
) -> None:
    sandbox = await serve(sim, store, Faults(timeout=1.0, hang_s=30, only=path("fedex")))
    polls: list[tuple[PollStats, float]] = []
    stop = asyncio.Event()
    began = time.monotonic()

    def after_poll(stats: PollStats) -> None:
        nonlocal began
        polls.append((stats, time.monotonic() - began))
        if len(polls) == 3:
            sandbox.faults.timeout = 0.0  # the carrier answers again
        if len(polls) == 5:
            stop.set()
        sim.advance(timedelta(hours=4))  # everything in transit is due again
        began = time.monotonic()

    try:
        async with scheduler_for(
            store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep, timeout_s=0.4
        ) as sched:
            await asyncio.wait_for(watch(sched, stop, after_poll=after_poll), timeout=30)
            fedex = [stats.failed_batches for stats, _ in polls]
            assert fedex == [1, 1, 1, 0, 0]
            # Each poll of the hung source took the client's timeout, not the 30 s hang.
            assert all(0.4 <= seconds < 3 for _, seconds in polls[:3])
            assert all(stats.polled >= 4 for stats, _ in polls)  # UPS and DHL every time
            assert sandbox.requests["ups"] >= 4 * 3 and sandbox.requests["dhl"] >= 4 * 3
            assert health(sched)["fedex"]["ok"] is True
            await recover_and_check(store, sandbox, sched, sim, "fedex")
    finally:
        await sandbox.runner.cleanup()


async def test_a_slow_source_is_waited_for_not_failed(sim: Sim, store: Store) -> None:
    sandbox = await serve(sim, store, Faults(slow_s=0.3, only=path("dhl")))
    try:
        async with scheduler_for(
            store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep, timeout_s=2.0
        ) as sched:
            began = time.monotonic()
            stats = await sched.poll_once()
            assert time.monotonic() - began >= 0.3
            assert (stats.polled, stats.failed_batches, stats.errors) == (12, 0, 0)
            assert all(h["ok"] for h in health(sched).values())
            assert await assert_ground_truth(store, sandbox) > 30
    finally:
        await sandbox.runner.cleanup()


@pytest.mark.parametrize("fault", ["truncate", "wrong_content_type", "malformed"])
async def test_a_cut_or_garbled_answer_stores_nothing_wrong_and_is_shown(
    fault: str, sim: Sim, store: Store
) -> None:
    """A body cut short or an HTML page (a proxy's error page, with HTTP 200) fails the source,
    which backs off; a complete answer that is not the API's document is each parcel's error.
    Either way the scans stored before stay as they were, and the user sees the problem."""
    sandbox = await serve(sim, store, Faults(only=path("fedex")))
    try:
        async with scheduler_for(store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep) as sched:
            await sched.poll_once()
            before = {n: await stored(store, n) for n in sandbox.numbers["fedex"]}
            assert sum(map(len, before.values())) > 5
            setattr(sandbox.faults, fault, 1.0)
            sim.advance(timedelta(hours=6))  # the carrier has new scans meanwhile
            await refresh_all(store)
            stats = await sched.poll_once()
            assert stats.polled >= 8 - (0 if fault == "malformed" else 4)
            shown = health(sched)
            assert all(shown[slug]["ok"] for slug in OTHERS)
            problems = {n: (await store.find(n))[0].poll_error for n in sandbox.numbers["fedex"]}
            if fault == "malformed":
                # The carrier answered; each parcel records that its answer was unusable.
                assert shown["fedex"]["ok"] is True and stats.errors == 4
                assert all(p is not None and p.startswith("malformed: ") for p in problems.values())
            else:
                assert shown["fedex"]["ok"] is False and stats.failed_batches == 1
                message = "cut short" if fault == "truncate" else "HTML page (HTTP 200)"
                assert message in str(shown["fedex"]["last_error"])
                assert all(p is not None and message in p for p in problems.values())
            for number, events in before.items():
                assert await stored(store, number) == events
            setattr(sandbox.faults, fault, 0.0)
            await recover_and_check(store, sandbox, sched, sim, "fedex")
    finally:
        await sandbox.runner.cleanup()


async def test_repeated_and_shuffled_scans_are_stored_once_in_time_order(sim: Sim, store: Store) -> None:
    faults = Faults(duplicate_events=1.0, out_of_order=1.0, only=path("ups"), seed=11)
    sandbox = await serve(sim, store, faults)
    try:
        async with scheduler_for(store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep) as sched:
            new = 0
            for _ in range(4):  # new scans appear between polls, each answer doubled and shuffled
                stats = await sched.poll_once()
                assert (stats.failed_batches, stats.errors) == (0, 0)
                new += stats.new_events
                await refresh_all(store)
                sim.advance(timedelta(hours=5))
            sim.now -= timedelta(hours=5)
            sim.world -= timedelta(hours=5)
            total = await assert_ground_truth(store, sandbox)
            assert new == total and await store.count() == (12, total)
            assert all(h["ok"] for h in health(sched).values())
    finally:
        await sandbox.runner.cleanup()


async def test_a_reworded_scan_keeps_its_first_text_and_is_not_stored_twice(sim: Sim, store: Store) -> None:
    """The dedupe key is carrier, number, minute, carrier code and place, not the text
    (parcel_watch/store/dedupe.py): a scan the carrier rewords later is the same scan, kept
    as first stored. Scans that happen after the rewording carry the new text."""
    old = CODES_FEDEX[ARRIVED].text
    new = old.replace("Arrived at", "Arrived at sort hub of")
    sandbox = await serve(sim, store, Faults(only=path("fedex")), per_source=6)
    try:
        async with scheduler_for(store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep) as sched:
            await sched.poll_once()
            first = await texts(store, sandbox)
            reworded_at = sim.world
            assert sum(text == old for _, text in first) >= 3
            sandbox.faults.reword = ((old, new),)
            sim.advance(timedelta(hours=30))
            await refresh_all(store)
            stats = await sched.poll_once()
            assert (stats.failed_batches, stats.errors) == (0, 0)
            after = await texts(store, sandbox)
            # The scans stored before are still there once each, with the text they came with.
            assert [e for e in after if e[0] <= reworded_at] == first
            later = [text for when, text in after if when > reworded_at]
            assert old not in later and new in later
            assert await assert_ground_truth(store, sandbox) == (await store.count())[1]
    finally:
        await sandbox.runner.cleanup()


async def texts(store: Store, sandbox: Sandbox) -> list[tuple[datetime, str]]:
    out = []
    for number in sandbox.numbers["fedex"]:
        [s] = await store.find(number)
        assert s.id is not None
        out += [(e.occurred_at, e.description or "") for e in await store.timeline(s.id)]
    return out


async def test_one_failed_poll_of_a_per_number_api_backs_off_like_one_failure(sim: Sim, store: Store) -> None:
    sandbox = await serve(sim, store, Faults(server_error=1.0, only=path("ups")), per_source=12)
    try:
        async with scheduler_for(store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep) as sched:
            await sched.poll_once()
            retry_at = sched.coordinators["ups"].health.retry_at
            assert retry_at is not None and (retry_at - sim.now).total_seconds() <= 30.0
    finally:
        await sandbox.runner.cleanup()
