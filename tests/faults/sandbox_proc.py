"""The sandbox carrier in a process of its own, on a frozen clock, for the crash-safety test.

``python tests/faults/sandbox_proc.py OUT.json --fedex N --ups N --dhl N --s10 N --seed S``
builds the world (every parcel shipped days before the frozen "now", so most journeys are
complete and each answer carries many scans), writes OUT.json — the URL it listens on and,
per tracking number, the scans the sandbox serves (the ground truth) — and serves until
SIGTERM. The clock never moves, so every poll of a number returns the same scans.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: the project's packages from the checkout
    sys.path.insert(0, str(ROOT))

from carriers.sandbox.journeys import Scenario
from carriers.sandbox.server import start
from carriers.sandbox.world import SandboxClock, SandboxWorld
from parcel_watch.detect.samples import sample_number

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # the sandbox's frozen "now"
KEY = "sandbox"
# (carrier as detection names it, number format, CLI option); S10 items go through 17TRACK.
KINDS = (
    ("fedex", "fedex_12", "fedex"),
    ("ups", "ups", "ups"),
    ("dhl", "dhl_express", "dhl"),
    ("s10", "s10", "s10"),
)


def build(counts: dict[str, int], seed: int) -> tuple[SandboxWorld, list[dict[str, object]]]:
    world = SandboxWorld(SandboxClock(NOW, speed=0.0), seed=seed, api_key=KEY, token_ttl_s=10**6)
    rng = random.Random(seed)
    scenarios = list(Scenario)
    shipments: list[dict[str, object]] = []
    seen: set[str] = set()
    for carrier, fmt, option in KINDS:
        made = 0
        while made < counts[option]:
            number = sample_number(fmt, rng)
            if carrier == "s10":
                number = number[:-2] + "CN"  # China Post origin: 17TRACK serves it
            if number in seen:
                continue
            seen.add(number)
            scenario = scenarios[made % len(scenarios)]
            shipped = NOW - timedelta(hours=rng.uniform(24, 24 * 12))
            journey = world.add(number, scenario, shipped_at=shipped)
            made += 1
            scans = [
                {
                    "occurred_at": s.occurred_at.isoformat(),
                    "status": s.status.value,
                    "text": s.text,
                    "city": s.place.city,
                    "country": s.place.country,
                }
                for s in journey.visible(NOW)
            ]
            shipments.append(
                {
                    "number": number,
                    "carrier": carrier,
                    "origin_country": "CN" if carrier == "s10" else None,
                    "scans": scans,
                }
            )
    return world, shipments


async def serve(out: Path, counts: dict[str, int], seed: int) -> None:
    world, shipments = build(counts, seed)
    runner, url = await start(world)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": url, "key": KEY, "shipments": shipments}))
    os.replace(tmp, out)  # the test waits for the file: it appears whole
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    for _, _, option in KINDS:
        parser.add_argument(f"--{option}", type=int, default=0)
    args = parser.parse_args()
    counts = {option: getattr(args, option) for _, _, option in KINDS}
    asyncio.run(serve(args.out, counts, args.seed))


if __name__ == "__main__":
    main()
