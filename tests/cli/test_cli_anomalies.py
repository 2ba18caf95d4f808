"""``parcel-watch anomalies``: evaluates what changed, then lists the open anomalies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parcel_watch.model import Location, Shipment, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, Store
from tests.cli.conftest import Cli

STALLED_NUMBER = "1Z5R89390357567127"
DAMAGED_NUMBER = "RB123456785GB"


def scan(days_ago: float, status: Status, text: str, substatus: str | None = None) -> TrackingEvent:
    return TrackingEvent(
        occurred_at=datetime.now(UTC) - timedelta(days=days_ago),
        status=status,
        substatus=substatus,
        description=text,
        location=Location(city="LEIPZIG", country="DE"),
    )


async def fill(url: str) -> None:
    store = await Store.open(url)
    try:
        await store.ingest(
            [
                IngestItem(
                    [
                        ShipmentUpdate(
                            carrier="ups",
                            tracking_number=STALLED_NUMBER,
                            events=(scan(60, Status.IN_TRANSIT, "Departed facility"),),
                        ),
                        ShipmentUpdate(
                            carrier="s10",
                            tracking_number=DAMAGED_NUMBER,
                            events=(
                                scan(2, Status.IN_TRANSIT, "Accepted"),
                                scan(1, Status.IN_TRANSIT, "Sendung beschädigt [bold]nachverpackt[/bold]"),
                            ),
                        ),
                    ]
                )
            ]
        )
        await store.add(Shipment(tracking_number=DAMAGED_NUMBER, carrier="s10", label="[red]gift[/red]"))
    finally:
        await store.close()


async def test_anomalies_are_evaluated_then_listed_and_only_changes_are_looked_at_again(cli: Cli) -> None:
    await fill(cli.url)
    first = cli("anomalies")
    assert first.code == 0, first.err
    assert "evaluated 2 shipment(s): 3 opened, 0 updated, 0 resolved" in first.err
    rows = [line for line in first.out.splitlines() if STALLED_NUMBER in line or DAMAGED_NUMBER in line]
    assert len(rows) == 3
    assert any("stalled" in row and "business_days=5" in row for row in rows)
    assert any("lost" in row and "reason=no_scan" in row for row in rows)
    damaged = next(row for row in rows if "damaged" in row)
    assert "[red]gift[/red]" in damaged  # markup in stored text is shown, never interpreted

    listed = cli("anomalies", "--json", "--kind", "damaged")
    assert "evaluated 0 shipment(s)" in listed.err  # nothing changed since
    [anomaly] = listed.json()
    assert anomaly["shipment"]["tracking_number"] == DAMAGED_NUMBER and anomaly["state"] == "open"
    assert anomaly["kind"] == "damaged" and len(anomaly["evidence"]) == 1

    store = await Store.open(cli.url)
    try:
        await store.ingest(
            [
                IngestItem(
                    [
                        ShipmentUpdate(
                            carrier="ups",
                            tracking_number=STALLED_NUMBER,
                            events=(scan(0.1, Status.IN_TRANSIT, "Arrived"),),
                        )
                    ]
                )
            ]
        )
    finally:
        await store.close()
    moved = cli("anomalies", "--all", "--json")
    assert "evaluated 1 shipment(s): 0 opened, 0 updated, 2 resolved" in moved.err
    states = sorted((a["kind"], a["state"]) for a in moved.json())
    assert states == [("damaged", "open"), ("lost", "resolved"), ("stalled", "resolved")]


def test_an_unknown_kind_is_invalid_input_and_an_empty_store_has_none(cli: Cli) -> None:
    bad = cli("anomalies", "--kind", "exploded")
    assert bad.code == 4 and "unknown anomaly kind" in bad.err and "stalled" in bad.err
    empty = cli("anomalies")
    assert empty.code == 0 and "No open anomalies." in empty.err and empty.out == ""


async def test_a_return_not_refunded_in_time_is_overdue_until_marked_received(cli: Cli) -> None:
    store = await Store.open(cli.url)
    try:
        delivered = scan(30, Status.DELIVERED, "Delivered to the seller", "delivered.signed")
        await store.ingest(
            [
                IngestItem(
                    [
                        ShipmentUpdate(carrier="ups", tracking_number="RETURN0001", events=(delivered,)),
                        ShipmentUpdate(carrier="ups", tracking_number=STALLED_NUMBER, events=(delivered,)),
                    ]
                )
            ]
        )
        await store.add(Shipment(tracking_number="RETURN0001", carrier="ups", destination_country="FR"))
    finally:
        await store.close()
    linked = cli("return", "RETURN0001", "--of", STALLED_NUMBER)
    assert linked.code == 0 and "refund not received yet" in linked.err
    [overdue] = cli("anomalies", "--json").json()
    assert (overdue["kind"], overdue["shipment"]["tracking_number"]) == ("refund_overdue", "RETURN0001")
    assert (overdue["details"]["regime"], overdue["details"]["period"]) == ("eu", "14 days")  # France

    paid = cli("return", "RETURN0001", "--of", STALLED_NUMBER, "--refund-received", "2026-01-05")
    assert paid.code == 0 and "refund received 2026-01-05" in paid.err
    after = cli("anomalies", "--json")
    assert after.json() == [] and "1 resolved" in after.err

    assert cli("return", "NOSUCH", "--of", STALLED_NUMBER).code == 3
    assert cli("return", "RETURN0001", "--of", STALLED_NUMBER, "--regime", "mars").code == 4
    assert cli("return", "RETURN0001", "--of", STALLED_NUMBER, "--refund-received", "soon").code == 4
