"""The demo inside the dashboard: it reads at the simulated time and the rules run as it goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from parcel_watch.store import Store
from parcel_watch.store.schema import anomalies, anomaly_changes
from tests.tui.conftest import SIZE, sqlite_url
from tui.app import ParcelWatchApp
from tui.context import DashboardContext
from tui.feeds import DemoClock, demo_feed


async def test_the_demo_feeds_the_dashboard_its_simulated_time_and_fresh_anomalies(tmp_path: Path) -> None:
    clock = DemoClock()
    real_start = datetime.now(UTC)
    async with await Store.open(sqlite_url(tmp_path / "demo.db")) as store:
        app = ParcelWatchApp(
            DashboardContext(store, clock=clock), lambda c: demo_feed(c.store, clock, max_steps=150)
        )
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert clock.now is not None
            # The journeys end before today: ages on screen count from the simulated time.
            assert app.ctx.clock() == clock.now < real_start - timedelta(days=1)
            async with store.reading() as conn:
                opened = (await conn.execute(select(func.count(), func.max(anomalies.c.opened_at)))).one()
                moments = (await conn.execute(select(func.count(anomaly_changes.c.at.distinct())))).scalar()
            # The rules ran step by step at the demo's time, not once at the end at today's.
            assert opened[0] > 0
            assert opened[1] <= clock.now
            assert moments is not None and moments > 5
