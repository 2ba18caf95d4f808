"""A sandbox that counts: every tracking request logged with its time and number, so tests
and benchmarks can check from the carrier's side what many workers did together — each
shipment asked once per lease, and no second with more requests than the rate allows.

Run as a process (what ``benchmarks/scale.py`` and the multi-worker test do)::

    python -m carriers.sandbox.counting --shipments 50000 --latency-ms 20 --ready FILE

It writes ``{"url": ...}`` to FILE once it listens; ``GET /_sandbox/requests`` returns the
log as ``[[arrived, answered, api, number], ...]`` (epoch seconds) and ``DELETE`` clears it.
Numbers are ``{PREFIX}{i:08d}`` per API (see ``NUMBER_PREFIX``), journeys seeded by ``--seed``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from carriers.sandbox.app import make_app
from carriers.sandbox.faults import Faults
from carriers.sandbox.journeys import Scenario
from carriers.sandbox.world import SandboxClock, SandboxWorld

# Single-number GET APIs: the number is in the path or the query, no body to read.
NUMBER_PREFIX = {"ups": "1ZSBX", "usps": "9400SBX", "dhl": "JDSBX"}
API_OF_PATH = (
    ("/api/track/v1/details/", "ups"),
    ("/tracking/v3/tracking/", "usps"),
    ("/track/shipments", "dhl"),
)

Entry = tuple[float, float, str, str]
REQUESTS = web.AppKey("requests", list[Entry])


def numbers(api: str, count: int, start: int = 0) -> list[str]:
    return [f"{NUMBER_PREFIX[api]}{i:08d}" for i in range(start, start + count)]


def _api_and_number(request: web.Request) -> tuple[str, str] | None:
    for prefix, api in API_OF_PATH:
        if request.path.startswith(prefix):
            number = request.match_info.get("number") or request.query.get("trackingNumber", "")
            return api, number
    return None


def counting_middleware(log: list[Entry]) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def count(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        arrived = time.time()
        response = await handler(request)
        which = _api_and_number(request)
        if which is not None:
            log.append((arrived, time.time(), *which))
        return response

    return count


def counting_app(world: SandboxWorld, faults: Faults | None = None) -> web.Application:
    """The sandbox app with the request log outermost (arrival times before any fault delay)."""
    app = make_app(world, faults)
    log: list[Entry] = []
    app[REQUESTS] = log
    app.middlewares.insert(0, counting_middleware(log))

    async def requests(request: web.Request) -> web.Response:
        if request.method == "DELETE":
            log.clear()
            return web.json_response({"cleared": True})
        return web.json_response(log)

    app.router.add_route("GET", "/_sandbox/requests", requests)
    app.router.add_route("DELETE", "/_sandbox/requests", requests)
    return app


def busiest_seconds(log: Iterable[Sequence[object]]) -> dict[str, int]:
    """Per API, the most requests that arrived within one wall-clock second."""
    per_second: Counter[tuple[str, int]] = Counter()
    for entry in log:
        arrived, api = float(entry[0]), str(entry[2])  # type: ignore[arg-type]
        per_second[(api, int(arrived))] += 1
    busiest: dict[str, int] = {}
    for (api, _), n in per_second.items():
        busiest[api] = max(busiest.get(api, 0), n)
    return busiest


def violations(log: Iterable[Sequence[object]], limits: dict[str, float]) -> int:
    """Seconds in which an API got more requests than its limit."""
    per_second: Counter[tuple[str, int]] = Counter()
    for entry in log:
        per_second[(str(entry[2]), int(float(entry[0])))] += 1  # type: ignore[arg-type]
    return sum(1 for (api, _), n in per_second.items() if api in limits and n > limits[api])


def populated_world(per_api: dict[str, int], seed: int = 7) -> SandboxWorld:
    """A frozen-clock world (answers never change during a run) with ``per_api`` journeys."""
    now = datetime.now(UTC)
    world = SandboxWorld(clock=SandboxClock(now, speed=0.0), seed=seed, token_ttl_s=10**9)
    scenarios = list(Scenario)
    for api, count in per_api.items():
        for i, number in enumerate(numbers(api, count)):
            world.add(number, scenarios[i % len(scenarios)], shipped_at=now - timedelta(days=2 + i % 5))
    return world


async def serve(args: argparse.Namespace) -> None:
    apis = args.apis.split(",")
    share = {api: args.shipments // len(apis) for api in apis}
    world = populated_world(share, args.seed)
    faults = Faults(slow_s=args.latency_ms / 1000.0) if args.latency_ms else None
    runner = web.AppRunner(counting_app(world, faults), shutdown_timeout=1.0, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", args.port)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    Path(args.ready).write_text(json.dumps({"url": url, "per_api": share}))
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=3000, help="split evenly over --apis")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="answer each request after this long")
    parser.add_argument("--apis", default=",".join(NUMBER_PREFIX), help="which APIs share the shipments")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", required=True, help="file to write {url} to once listening")
    args = parser.parse_args(argv)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
