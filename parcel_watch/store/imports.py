"""An import's batches: one read of what is stored for a batch's numbers, and one write
transaction for the batch's new shipments (a transaction per row costs a commit per row:
hours for a million-row file)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from parcel_watch.model import Shipment
from parcel_watch.store.bulk import member_of
from parcel_watch.store.ingest import insert_ignore
from parcel_watch.store.rows import shipment_from_row, shipment_values
from parcel_watch.store.schema import shipments

if TYPE_CHECKING:
    from parcel_watch.store import Store


async def stored_for(store: Store, numbers: Sequence[str]) -> dict[str, list[Shipment]]:
    """The stored shipments of these numbers (without their estimate history), by number."""
    found: dict[str, list[Shipment]] = defaultdict(list)
    if not numbers:
        return found
    async with store.reading() as conn:
        query = select(shipments).where(member_of(conn.dialect, shipments.c.tracking_number, numbers))
        for row in (await conn.execute(query.order_by(shipments.c.id))).all():
            found[row.tracking_number].append(shipment_from_row(row))
    return found


async def insert_new(store: Store, new: Sequence[Shipment], now: datetime) -> None:
    """Insert shipments not stored yet, in one transaction (one already there is skipped)."""
    if not new:
        return
    async with store.writing() as conn:
        await conn.execute(
            insert_ignore(conn, shipments),
            [
                {
                    "carrier": s.carrier,
                    "tracking_number": s.tracking_number,
                    **shipment_values(s),
                    "status": s.status.value,
                    "created_at": now,
                    "updated_at": now,
                }
                for s in new
            ],
        )
