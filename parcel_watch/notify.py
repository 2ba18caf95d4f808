"""Notifications: new facts in the store -> apprise messages, one per fact per target.

A run (:meth:`Notifier.run_once`) finds the facts since the marks kept in the store
(``notify_scan``), routes each to its targets (``notify_config``), logs one row per
(fact, target) and moves the marks in one transaction (``notify_log``), then sends what is
due: now, when quiet hours end, or at the digest time (``notify_schedule``). Messages held
for one target go out merged as one. A failed send stays in the log and is retried with
backoff, then marked failed.

Sending never holds up polling: :func:`notifying` runs the notifier in a task of its own,
which the poller only *kicks* after a poll's write; every send has a timeout, and so has
every run. URLs hold secrets: logs and the log table only ever show them redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from parcel_watch.notify_config import NotifySettings, redact, scrub
from parcel_watch.notify_log import (
    LogRow,
    Planned,
    all_watcher_urls,
    claim_due,
    mark_failed,
    mark_sent,
    next_due,
    record,
    stored_marks,
    watchers_of,
)
from parcel_watch.notify_scan import high_marks, scan
from parcel_watch.notify_schedule import Message, merge
from parcel_watch.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Prepare = Callable[[], Awaitable[object]]
SEPARATE_LIMIT = 10  # more facts than this for one target in one run go out as one message


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunResult:
    found: int  # facts found (each logged once per target, however often found)
    sent: int  # messages sent (a merged one counts once)
    failed: int  # messages whose send failed (retried later, or given up)


@dataclass(frozen=True)
class SendResult:
    error: str | None = None  # None: delivered
    final: bool = False  # retrying cannot help (apprise cannot read the URL)


class Notifier:
    def __init__(
        self,
        store: Store,
        settings: NotifySettings,
        *,
        clock: Clock = utc_now,
        send_timeout: float = 10.0,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.send_timeout = send_timeout

    async def run_once(self) -> RunResult:
        found = await self.find(self.clock())
        sent, failed = await self.deliver(self.clock())
        return RunResult(found, sent, failed)

    async def find(self, now: datetime) -> int:
        """Log the new facts for their targets and move the marks past them."""
        upto = await high_marks(self.store)
        # No marks yet (a store older than them that lost its row): start from now.
        since = await stored_marks(self.store) or upto
        facts = await scan(self.store, since, upto, now, self.settings.deadline_days)
        async with self.store.reading() as conn:
            watchers = await watchers_of(conn, {f.shipment.id for f in facts})
        planned = [
            Planned(fact, delivery)
            for fact in facts
            for delivery in self.settings.deliveries(fact, watchers.get(fact.shipment.id, ()))
        ]
        await record(self.store, planned, upto, now, self.settings.zone)
        return len(facts)

    async def deliver(self, now: datetime) -> tuple[int, int]:
        """Send every due message; returns (sent, failed)."""
        rows = await claim_due(self.store, now)
        if not rows:
            return 0, 0
        watcher_urls = await all_watcher_urls(self.store)
        by_target: dict[str, list[LogRow]] = defaultdict(list)
        for row in rows:
            by_target[row.target].append(row)
        # Targets side by side (a slow one does not hold up the others), each one in order.
        outcomes = await asyncio.gather(
            *(self._deliver_to(target, group, watcher_urls) for target, group in by_target.items())
        )
        return sum(s for s, _ in outcomes), sum(f for _, f in outcomes)

    async def _deliver_to(
        self, target: str, rows: list[LogRow], watcher_urls: Sequence[str]
    ) -> tuple[int, int]:
        url = self.settings.url_for(target, watcher_urls)
        if url is None:
            await mark_failed(
                self.store, rows, self.clock(), "this target is no longer configured", final=True
            )
            log.warning(
                "notifications: %d message(s) for %s dropped: no longer configured",
                len(rows),
                rows[0].target_label,
            )
            return 0, 1
        sent = failed = 0
        for batch in batches(rows):
            message = merge(
                [Message(r.title, r.body, r.notify_type) for r in batch],
                digest=any(r.mode == "digest" for r in batch),
            )
            result = await self.send(url, message)
            if result.error is None:
                await mark_sent(self.store, [r.id for r in batch], self.clock())
                sent += 1
                continue
            failed += 1
            now = self.clock()
            after = await mark_failed(self.store, batch, now, result.error, final=result.final)
            retry = (
                "gave up" if after[0].state == "failed" else f"retry at {after[0].send_after:%H:%M:%S} UTC"
            )
            log.warning(
                "notifications: sending to %s failed (attempt %d): %s; %s",
                batch[0].target_label,
                after[0].attempts,
                result.error,
                retry,
            )
        return sent, failed

    async def send(self, url: str, message: Message) -> SendResult:
        return await send(url, message, timeout=self.send_timeout)


async def send(url: str, message: Message, *, timeout: float = 10.0) -> SendResult:
    """One message to one apprise URL, within ``timeout`` seconds."""
    import apprise  # imported when a message is sent: its plugin scan is not free

    sender = apprise.Apprise()
    if not sender.add(url):
        return SendResult("apprise cannot read this URL (see: apprise --details)", final=True)
    try:
        result = await asyncio.wait_for(
            sender.async_notify(
                body=message.body,
                title=message.title,
                notify_type=message.notify_type,
                body_format=apprise.NotifyFormat.TEXT,
                timeout=timeout,
            ),
            timeout + 2,  # apprise's own limit comes first; this one is a backstop
        )
    except TimeoutError:
        return SendResult(f"no answer within {timeout:g} s")
    if result:
        return SendResult()
    if result.timeout_count:
        return SendResult(f"no answer within {timeout:g} s")
    reasons = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR", "CRITICAL")]
    # apprise's own messages name hosts, not secrets; a plugin's quoting an answer might not.
    reason = scrub("; ".join(dict.fromkeys(reasons)), url)
    return SendResult(reason[:500] or "the service refused the message")


TEST_MESSAGE = Message(
    "parcel-watch test message", "If you can read this, parcel-watch can notify you here.", "info"
)


async def send_test(urls: Sequence[str], *, timeout: float = 10.0) -> list[tuple[str, SendResult]]:
    """A test message to each of ``urls``: (redacted URL, result), in the order given."""
    results = await asyncio.gather(*(send(url, TEST_MESSAGE, timeout=timeout) for url in urls))
    return [(redact(url), r) for url, r in zip(urls, results, strict=True)]


def batches(rows: Sequence[LogRow]) -> list[list[LogRow]]:
    """How one target's due rows go out: everything held (quiet hours, digest) as one
    message; the rest one message each — unless there are more than ``SEPARATE_LIMIT``."""
    held = [r for r in rows if r.mode != "now"]
    now = [r for r in rows if r.mode == "now"]
    out = [held] if held else []
    if len(now) > SEPARATE_LIMIT:
        out.append(now)
    else:
        out += [[r] for r in now]
    return out


class NotifyLoop:
    """Runs the notifier whenever kicked (after a poll's write) and when held or retried
    messages fall due; each run bounded by ``run_timeout``."""

    def __init__(
        self,
        notifier: Notifier,
        *,
        idle: timedelta = timedelta(minutes=1),
        run_timeout: float = 120.0,
        prepare: Prepare | None = None,
    ) -> None:
        self.notifier = notifier
        self.idle = idle
        self.run_timeout = run_timeout
        self.prepare = prepare
        self.runs = 0
        self._kicked = asyncio.Event()
        self._stopping = False

    def kick(self) -> None:
        """Look for new facts soon; returns at once."""
        self._kicked.set()

    async def run(self) -> None:
        while not self._stopping:
            self._kicked.clear()
            await self._run_bounded()
            try:
                await asyncio.wait_for(self._kicked.wait(), await self._pause())
            except TimeoutError:
                pass

    async def _run_once(self) -> RunResult:
        if self.prepare is not None:
            await self.prepare()
        return await self.notifier.run_once()

    async def _run_bounded(self) -> None:
        try:
            result = await asyncio.wait_for(self._run_once(), self.run_timeout)
        except TimeoutError:
            log.warning("notifications: a run took longer than %g s and was stopped", self.run_timeout)
        except Exception as exc:  # noqa: BLE001 - a notifier failure must never stop the poller
            # Neither the message nor the type carry a URL: URLs never reach exceptions of ours.
            log.error("notifications: run failed: %s: %s", type(exc).__name__, exc)
        else:
            if result.sent or result.failed:
                log.info("notifications: %d sent, %d failed", result.sent, result.failed)
        self.runs += 1

    async def _pause(self) -> float:
        try:
            due = await next_due(self.notifier.store)
        except Exception:  # noqa: BLE001 - the next run will say what is wrong
            due = None
        pause = self.idle.total_seconds()
        if due is not None:
            pause = min(pause, (due - self.notifier.clock()).total_seconds())
        return max(1.0, pause)

    def stop(self) -> None:
        self._stopping = True
        self._kicked.set()


@contextlib.asynccontextmanager
async def notifying(
    store: Store,
    settings: NotifySettings,
    *,
    clock: Clock = utc_now,
    send_timeout: float = 10.0,
    idle: timedelta = timedelta(minutes=1),
    prepare: Prepare | None = None,
    grace: float | None = None,
) -> AsyncIterator[NotifyLoop]:
    """The notifier in a task of its own while the block runs; ``prepare`` runs first in
    each run (the anomaly rules, so what they open is told). On leaving, a run in flight
    gets ``grace`` seconds (default: a send's timeout) to finish its sends; else its claimed
    rows are retried once their lease ends."""
    notifier = Notifier(store, settings, clock=clock, send_timeout=send_timeout)
    loop = NotifyLoop(notifier, idle=idle, prepare=prepare)
    task = asyncio.create_task(loop.run(), name="parcel-watch notifications")
    try:
        yield loop
    finally:
        loop.stop()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, send_timeout + 2 if grace is None else grace)
