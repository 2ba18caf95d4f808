"""Group commit for poll results: what concurrent pollers hand in meanwhile, one transaction takes.

A poll batch of 30 shipments is small; written alone, the statements and commit of its
transaction cost more than its events. Batches that finish while a write runs queue up
and the next transaction ingests them all together. Each caller still waits until its own
results are committed, and a write is never cancelled half-way: it runs in its own task,
so a caller stopped by SIGINT leaves nothing half-written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from parcel_watch.store.ingest import IngestItem, IngestResult
from parcel_watch.store.schedule import PollRecord

Plan = Callable[[IngestResult], Sequence[PollRecord]]


@dataclass
class PolledWrite:
    """One batch's answers and how to schedule its shipments once they are ingested."""

    items: Sequence[IngestItem]
    now: datetime
    plan: Plan
    done: asyncio.Future[IngestResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def size(self) -> int:
        return sum(len(u.events) for item in self.items for u in item.updates) or 1


WriteGroup = Callable[[Sequence[PolledWrite]], Awaitable[IngestResult]]


class GroupWriter:
    """Queues :class:`PolledWrite` s; one task at a time writes everything queued."""

    def __init__(self, write: WriteGroup, *, max_events: int = 20_000, linger_s: float = 0.0) -> None:
        self._write = write
        self._max_events = max_events
        # How long a write waits for more to join it: a worker asking one number per request
        # hands in one shipment at a time, and per-transaction costs would dominate.
        self.linger_s = linger_s
        self._queue: list[PolledWrite] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, entry: PolledWrite) -> IngestResult:
        self._queue.append(entry)
        # Retrieved here too, so a failure nobody waits for any more is not logged as lost.
        entry.done.add_done_callback(lambda f: f.cancelled() or f.exception())
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())
        # Shielded: a cancelled caller stops waiting, the write it is part of goes on.
        return await asyncio.shield(entry.done)

    async def idle(self) -> None:
        """Wait until everything submitted so far is written (for a clean shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _drain(self) -> None:
        while self._queue:
            if self.linger_s:
                await asyncio.sleep(self.linger_s)
            group: list[PolledWrite] = []
            size = 0
            while self._queue and (not group or size + self._queue[0].size <= self._max_events):
                entry = self._queue.pop(0)
                group.append(entry)
                size += entry.size
            try:
                result = await self._write(group)
            except Exception as exc:  # noqa: BLE001 - every waiting caller gets the failure
                for entry in group:
                    if not entry.done.done():
                        entry.done.set_exception(exc)
                continue
            for entry in group:
                if not entry.done.done():
                    entry.done.set_result(result)
