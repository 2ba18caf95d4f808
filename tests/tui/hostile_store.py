"""A small store whose carrier text tries to inject Rich markup and terminal escapes: a
damaged parcel (its claims' letters quote the carrier's service name) and a parcel held
for duties (the anomaly keeps the carrier's message)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from claims.claiming import draft_open_claims
from claims.evaluation import evaluate
from parcel_watch.model import Shipment
from parcel_watch.status import Status
from parcel_watch.store import Store
from tests.factories import T0, event, item, update
from tests.tui.conftest import FROZEN, sqlite_url

HOSTILE = "[bold red]x[/]\x1b[2J\x1b]0;pwned\x07"
SHOWN = "[bold red]x[/]"  # what a user must see: the markup as text, the escapes gone
DAMAGED = "819482199352"
DUTIES = "1Z999AA10123456784"
_START = (FROZEN - timedelta(days=6) - T0).total_seconds() / 60  # minutes after T0


async def build(path: Path, *, draft: bool) -> str:
    """The store as a SQLite URL; with ``draft``, its claims drafted too."""
    url = sqlite_url(path)
    async with await Store.open(url) as store:
        await store.add(
            Shipment(tracking_number=DAMAGED, carrier="fedex", label=f"Lens {HOSTILE}", service=HOSTILE)
        )
        await store.ingest(
            [
                item(
                    update(
                        DAMAGED,
                        event(_START, Status.INFO_RECEIVED, "OC", text="Label created"),
                        event(_START + 600, Status.IN_TRANSIT, "AR", text=f"Package damaged {HOSTILE}"),
                        event(_START + 1500, Status.DELIVERED, "DL", city="AUSTIN", text="Delivered"),
                    )
                ),
                item(
                    update(
                        DUTIES,
                        event(_START, Status.IN_TRANSIT, "PU", text="Picked up", city="KOELN", country="DE"),
                        event(
                            _START + 600,
                            Status.EXCEPTION,
                            "X1",
                            text=f"Import duties of EUR 23.50 due {HOSTILE}",
                        ),
                        carrier="ups",
                    ),
                    carrier="ups",
                ),
            ]
        )
        await evaluate(store, FROZEN)
        if draft:
            await draft_open_claims(store, FROZEN, by="alice")
    return url
