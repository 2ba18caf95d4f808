"""``parcel-watch demo`` (the main job on the embedded default) and ``parcel-watch sandbox``."""

from __future__ import annotations

import argparse
from pathlib import Path

from parcel_watch.cli import output
from parcel_watch.cli.errors import ExitCode
from parcel_watch.cli.session import open_store, run
from parcel_watch.config import default_database_path


def demo_database(db: str | None) -> str:
    """The demo's store: --db when given, else a fresh file next to the user's database."""
    if db:
        return db
    path = default_database_path().with_name("parcel-watch-demo.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return str(path)


def cmd_demo(args: argparse.Namespace) -> int:
    from parcel_watch.demo import Progress, run_demo

    db = demo_database(args.db)

    def progress(p: Progress) -> None:
        if not args.headless:
            counts = ", ".join(f"{k.lower()} {v}" for k, v in sorted(p.by_status.items()))
            output.message(
                f"{p.at:%Y-%m-%d %H:%M} sandbox time: {p.polls} polls, {p.events} events | {counts}"
            )

    async def go() -> dict[str, object]:
        async with open_store(db) as store:
            return await run_demo(store, seed=args.seed, per_scenario=args.per_scenario, on_progress=progress)

    if not args.headless:
        output.message(f"demo: sandbox carrier on loopback, store {db}")
    summary = run(go())
    if args.json:
        output.emit_json(summary | {"database": db})
    else:
        output.message(
            f"{summary['shipments']} shipments, {summary['events']} events, {summary['polls']} polls; "
            f"by status: {summary['by_status']}; errors: {summary['errors']}"
        )
        output.message(f"look around: parcel-watch --db {db} list")
    return ExitCode.OK


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
