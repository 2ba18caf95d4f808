"""The facts notifications are about, as toasts in the dashboard; and how many
notifications are failing, for the sources bar.

The facts are found the way the notifier finds them (``parcel_watch.notify_scan``), from
what the store holds when the dashboard opens: what was already there is not news. Each
fact is shown once. Carrier text is shown as plain text (``markup=False``): a description
holding ``[bold]`` shows the brackets.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from parcel_watch import notify_log
from parcel_watch.notify_config import DEFAULT_DEADLINE_DAYS
from parcel_watch.notify_facts import Fact, FactKind
from parcel_watch.notify_scan import FactScanner

if TYPE_CHECKING:
    from textual.app import App

    from tui.context import DashboardContext

MAX_TOASTS = 4  # on screen at once; more facts are summed up in one toast
TOAST_SECONDS = 8.0
FOLLOW_EVERY_S = 15.0  # without a feed of its own the dashboard looks at the store this often
_SEVERITY = {
    FactKind.ANOMALY_OPENED: "warning",
    FactKind.CLAIM_DEADLINE: "warning",
    FactKind.DUTIES_DUE: "warning",
}


class Toaster:
    def __init__(self, app: App[Any], deadline_days: Sequence[int] = DEFAULT_DEADLINE_DAYS) -> None:
        self.app = app
        self.deadline_days = tuple(deadline_days)
        self._scanner: FactScanner | None = None
        self._running = False
        self._again = False
        self._shown: deque[float] = deque()  # when each toast still on screen was raised
        self._untold = 0  # facts found while the screen was full of toasts

    @property
    def started(self) -> bool:
        """Whether it knows what the store held when the dashboard opened (facts after that
        are toasted)."""
        return self._scanner is not None

    @property
    def ctx(self) -> DashboardContext:
        return self.app.ctx  # type: ignore[attr-defined,no-any-return]

    def follow(self) -> None:
        """Start at what the store holds now, then look again on a timer (another process,
        ``parcel-watch watch``, may be the one writing)."""
        self.check_soon()
        self.app.set_interval(FOLLOW_EVERY_S, self.check_soon)

    def check_soon(self) -> None:
        self.app.run_worker(self.check(), name="toasts", group="toasts")

    async def check(self) -> None:
        # Not an exclusive worker: cancelling a check to start another could starve the
        # toasts while the store changes many times a second. A check asked for while one
        # runs makes the running one look once more instead.
        if self._running:
            self._again = True
            return
        self._running = True
        try:
            self._again = True
            while self._again:
                self._again = False
                await self._check_once()
        finally:
            self._running = False

    async def _check_once(self) -> None:
        store, now = self.ctx.store, self.ctx.clock()
        if self._scanner is None:
            scanner = FactScanner(store, self.deadline_days)
            await scanner.start(now)
            self._scanner = scanner
        else:
            self.show(await self._scanner.scan(now))
        self.app.notifications_failing = await notify_log.failing(store, now)  # type: ignore[attr-defined]

    def show(self, facts: Sequence[Fact]) -> None:
        """Toasts for ``facts``; never more than ``MAX_TOASTS`` on screen at once (the demo
        finds dozens a second): what does not fit is counted in one toast, now or later."""
        now = time.monotonic()
        while self._shown and self._shown[0] <= now - TOAST_SECONDS:
            self._shown.popleft()
        room = MAX_TOASTS - len(self._shown)
        self._untold += len(facts)
        if room <= 0 or not self._untold:
            return
        # Each fact its own toast when all fit; else as many as leave room for the count.
        fits = self._untold == len(facts) and len(facts) <= room
        singles = facts if fits else facts[: room - 1]
        for fact in singles:
            self.app.notify(
                fact.body,
                title=fact.title,
                severity=_SEVERITY.get(fact.kind, "information"),  # type: ignore[arg-type]
                timeout=TOAST_SECONDS,
                markup=False,  # carrier text: never read as markup
            )
            self._shown.append(now)
        self._untold -= len(singles)
        if self._untold:
            self.app.notify(
                f"and {self._untold} more updates", title="parcel-watch", timeout=TOAST_SECONDS, markup=False
            )
            self._shown.append(now)
            self._untold = 0
