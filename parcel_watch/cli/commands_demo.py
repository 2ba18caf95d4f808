"""``parcel-watch demo`` (the main job on the embedded default) and ``parcel-watch sandbox``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from parcel_watch.cli import output
from parcel_watch.cli.errors import ExitCode
from parcel_watch.cli.session import open_store, run
from parcel_watch.config import default_database_path
from parcel_watch.demoview import DemoState, render, source_text


def demo_database(db: str | None) -> str:
    """The demo's store: --db when given, else a fresh file next to the user's database."""
    if db:
        return db
    path = default_database_path().with_name("parcel-watch-demo.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return str(path)


def cmd_demo(args: argparse.Namespace) -> int:
    db = demo_database(args.db)
    kwargs: dict[str, Any] = {
        "seed": args.seed,
        "per_scenario": args.per_scenario,
        "max_steps": args.max_steps,
    }
    if not args.headless:
        output.message(f"demo: sandbox carrier on loopback, store {db}")
    # The dashboard (or live table) only where someone watches it: never in a pipe or CI log, and never
    # mixed into --json output.
    if not args.headless and not args.json and sys.stdout.isatty():
        if args.no_tui:
            run(live_demo(db, output.console(), **kwargs))
        else:
            from parcel_watch.cli.commands_tui import demo_dashboard

            run(demo_dashboard(db, **kwargs))
            output.message(f"look around again: parcel-watch --db {db} tui")
        return ExitCode.OK

    async def go() -> dict[str, Any]:
        from parcel_watch.demo import run_demo

        async with open_store(db) as store:
            return await run_demo(store, watcher=None if args.headless else PlainProgress(), **kwargs)

    summary = run(go())
    if args.json:
        output.emit_json(summary | {"database": db})
    else:
        output.message(summary_line(summary))
        output.message(f"look around: parcel-watch --db {db} list")
    return ExitCode.OK


async def live_demo(db: str, console: Console, **kwargs: Any) -> dict[str, Any]:
    """Run the demo under a live table on ``console``; the last frame stays, then the summary."""
    from parcel_watch.demo import run_demo  # heavy (SQLAlchemy, carriers): not for `sandbox`

    with Live(console=console, auto_refresh=False, vertical_overflow="crop") as live:
        async with open_store(db) as store:
            summary = await run_demo(store, watcher=LiveTable(live), **kwargs)
    console.print(Text(summary_line(summary)))
    console.print(Text(f"look around: parcel-watch --db {db} list", style="dim"))
    return summary


class PlainProgress:
    """A progress line every few steps on stderr: readable in CI logs and pipes."""

    every = 12  # steps

    def wants(self, step: int) -> bool:
        return step % self.every == 0

    def show(self, state: DemoState) -> None:
        if not state.done:  # the summary follows
            output.message(progress_line(state))


class LiveTable:
    """Redraws the live table; at most `fps` times a second, as reading the state for a frame
    costs queries (about a tenth of a step's time at 4 a second)."""

    def __init__(self, live: Live, fps: float = 4.0) -> None:
        self.live, self.interval = live, 1.0 / fps
        self._next = 0.0

    def wants(self, step: int) -> bool:
        return time.monotonic() >= self._next

    def show(self, state: DemoState) -> None:
        # One line short of the screen: a frame as tall as the terminal would scroll it.
        width, height = self.live.console.size
        self.live.update(render(state, width=width, height=max(1, height - 1)), refresh=True)
        self._next = time.monotonic() + self.interval


def progress_line(state: DemoState) -> str:
    counts = ", ".join(f"{s.value.lower()} {n}" for s, n in sorted(state.by_status().items()))
    line = f"{state.now:%Y-%m-%d %H:%M} sandbox time: {state.polls} polls, {state.events} events | {counts}"
    failing = [source_text(s, state.now).plain for s in state.sources if not s.ok]
    return line + "".join(f" | {f}" for f in failing)


def summary_line(summary: dict[str, Any]) -> str:
    by_status = ", ".join(f"{k.lower()} {v}" for k, v in summary["by_status"].items())
    return (
        f"{summary['shipments']} shipments, {summary['events']} events, {summary['polls']} polls; "
        f"by status: {by_status}; errors: {summary['errors']}"
    )


def cmd_sandbox(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from carriers.sandbox.journeys import Scenario
    from carriers.sandbox.server import serve_forever
    from carriers.sandbox.world import SandboxClock, SandboxWorld

    world = SandboxWorld(clock=SandboxClock(datetime.now(UTC), speed=args.speed), seed=args.seed)
    for i, scenario in enumerate(Scenario):
        world.add(f"SBX{i:07d}", scenario)
    output.message(f"sandbox carrier on http://{args.host}:{args.port} ({args.speed:g}x time); numbers:")
    for number, journey in world.journeys.items():
        output.message(f"  {number}  {journey.scenario.value}")
    output.message(f"point an adapter at it, e.g. PARCEL_WATCH_FEDEX_BASE_URL=http://{args.host}:{args.port}")
    serve_forever(world, host=args.host, port=args.port)
    return ExitCode.OK
