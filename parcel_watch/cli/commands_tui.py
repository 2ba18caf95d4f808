"""``parcel-watch tui``: the dashboard on the store, polling the configured sources inside it."""

from __future__ import annotations

import argparse

from parcel_watch.cli.errors import ExitCode
from parcel_watch.cli.session import open_store, run


def cmd_tui(args: argparse.Namespace) -> int:
    from parcel_watch.cli.commands_notify import load_settings
    from parcel_watch.poller import configured_credentials
    from tui.app import ParcelWatchApp
    from tui.context import DashboardContext
    from tui.feeds import poller_feed

    settings = load_settings()
    if not args.no_poll:
        from parcel_watch.cli.commands_poll import checked_credentials

        checked_credentials()  # a half-configured source: exit 5 naming it, before the screen opens

    async def go() -> None:
        async with open_store(args.db) as store:
            ctx = DashboardContext(store)
            creds = {} if args.no_poll else configured_credentials()
            # Without a configured source the dashboard only reads: another process
            # (`parcel-watch watch`) may be the one polling into this store.
            feed = (lambda c: poller_feed(c.store, creds, c.clock, notify=settings)) if creds else None
            await ParcelWatchApp(ctx, feed).run_async()

    run(go())
    return ExitCode.OK


async def demo_dashboard(db: str, **demo_args: object) -> None:
    """``parcel-watch demo`` on a terminal: the dashboard, with the demo as its feed."""
    from tui.app import ParcelWatchApp
    from tui.context import DashboardContext
    from tui.feeds import DemoClock, demo_feed

    clock = DemoClock()
    async with open_store(db) as store:
        app = ParcelWatchApp(
            DashboardContext(store, clock=clock), lambda c: demo_feed(c.store, clock, **demo_args)
        )
        await app.run_async()
