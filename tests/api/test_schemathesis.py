"""Schemathesis fuzzes every operation of the served OpenAPI document against a real
server on a free port (SQLite store with the seeded data): no answer may be a server
error, and every answer must match the document (status code, content type, schema)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from aiohttp import web

from parcel_watch.store import Store
from tests.api.conftest import build_app, seed

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
ST = Path(sys.executable).parent / "st"


async def test_schemathesis_finds_no_server_error_and_no_answer_off_the_document(tmp_path: Path) -> None:
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path}/fuzz.db") as store:
        seeded = await seed(store)
        runner = web.AppRunner(build_app(store), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            proc = await asyncio.create_subprocess_exec(
                str(ST),
                "run",
                f"http://127.0.0.1:{port}/api/openapi.json",
                "--checks",
                CHECKS,
                "--max-examples",
                "25",
                "--seed",
                "7",
                "--phases",
                "examples,coverage,fuzzing",
                "--header",
                f"Authorization: Bearer {seeded.write}",
                "--workers",
                "1",
                "--no-color",
                "--generation-database",
                "none",
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
        finally:
            await runner.cleanup()
    report = out.decode(errors="replace")
    assert proc.returncode == 0, report[-6000:]
    assert " 0 generated" not in report and "9 selected / 9 total" in report
