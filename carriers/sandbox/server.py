"""The sandbox carrier as an HTTP server: the seven carrier APIs over seeded journeys.

A real client pointed at it (``base_url=<url>``) works unchanged. Use :func:`start` in tests
and embedding code, :func:`run` / :func:`serve_forever` for a standalone server::

    world = SandboxWorld(SandboxClock(datetime.now(UTC), speed=600))
    world.add("SBX00000001", Scenario.LATE)
    runner, url = await start(world, Faults(rate_limit=0.1))
    ...
    await runner.cleanup()

Endpoints (same paths as the real APIs):

==========  ======================================================  =================================
API         path                                                    auth
==========  ======================================================  =================================
FedEx       ``POST /oauth/token``                                   form client_id/client_secret
FedEx       ``POST /track/v1/trackingnumbers`` (≤ 30 numbers)       Bearer
UPS         ``POST /security/v1/oauth/token``                       HTTP Basic client id:secret
UPS         ``GET /api/track/v1/details/{n}``                       Bearer
USPS        ``POST /oauth2/v3/token``                               form client_id/client_secret
USPS        ``GET /tracking/v3/tracking/{n}``                       Bearer
DHL         ``GET /track/shipments?trackingNumber=n``               ``DHL-API-Key``
17TRACK     ``POST /track/v2.2/gettrackinfo`` / ``register`` (≤40)  ``17token``
AfterShip   ``GET /v4/trackings/{slug}/{n}``,                       ``aftership-api-key``
            ``GET /v4/trackings?tracking_numbers=n``
EasyPost    ``POST /v2/trackers``                                   HTTP Basic, key as user name
CanadaPost  ``GET /vis/track/pin/{pin}/detail``                     HTTP Basic user:password
DPD         ``POST /soap/services/LoginService/V2_1`` (getAuth)     delisId + password in the body
DPD         ``POST /soap/services/ParcelLifeCycleService/V2_0``     token in the SOAP header
==========  ======================================================  =================================
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from carriers.sandbox.app import make_app, make_replay_app
from carriers.sandbox.faults import Faults
from carriers.sandbox.world import SandboxClock, SandboxWorld

__all__ = [
    "Faults",
    "SandboxClock",
    "SandboxWorld",
    "make_app",
    "make_replay_app",
    "run",
    "serve_forever",
    "start",
]


async def start(
    world: SandboxWorld, faults: Faults | None = None, host: str = "127.0.0.1", port: int = 0
) -> tuple[web.AppRunner, str]:
    """Serve ``world`` on ``host:port`` (0: a free port); the runner (``cleanup()`` it) and the
    base URL to give clients."""
    runner = web.AppRunner(make_app(world, faults), shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0]
    return runner, f"http://{host}:{bound[1]}"


async def run(
    host: str,
    port: int,
    world: SandboxWorld,
    faults: Faults | None = None,
    *,
    started: asyncio.Event | None = None,
) -> None:
    """Serve until cancelled; ``started`` is set once the server listens."""
    runner, _ = await start(world, faults, host, port)
    try:
        if started is not None:
            started.set()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def serve_forever(
    world: SandboxWorld, faults: Faults | None = None, host: str = "127.0.0.1", port: int = 8765
) -> None:
    """Blocking: serve until interrupted (Ctrl-C). For the ``parcel-watch sandbox`` command."""
    try:
        asyncio.run(run(host, port, world, faults))
    except KeyboardInterrupt:
        pass
