"""Fixtures of the sandbox-over-HTTP tests (helpers in sandbox_support.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from carriers.sandbox.server import Faults, SandboxWorld, start
from tests.carriers.sandbox_support import FakeClock, Serve


@pytest.fixture
def real() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    runners: list[aiohttp.web.AppRunner] = []

    async def serve(world: SandboxWorld, faults: Faults | None = None) -> str:
        runner, url = await start(world, faults)
        runners.append(runner)
        return url

    yield serve
    for runner in runners:
        await runner.cleanup()
