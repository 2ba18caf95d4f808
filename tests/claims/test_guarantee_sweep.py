"""The guarantee sweep on a hand-built store, and the batch it drafts (CSV per carrier, packs)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from claims import guarantee_sweep, lifecycle
from claims.evidence import verify_pack
from claims.guarantee_batch import carrier_csv, write_batch
from claims.guarantee_sweep import Sweep, SweepItem
from claims.model import AnomalyKind, ClaimStatus, Incident, Party
from claims.rendering import render
from parcel_watch.model import Money, Shipment
from parcel_watch.store import Store
from tests.claims.sweep_builders import delivered_parcel

NOW = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
NDA_LATE = "1ZA1NDA00000000001"
NDA_ON_TIME = "1ZA1NDA00000000002"
NDA_LONG_AGO = "1ZA1NDA00000000003"
GROUND_LATE = "1ZA1GND00000000004"
PAKET_LATE = "00340434161094042557"
XPRESSPOST_LATE = "7023210039414604"
FEDEX_LATE = "794612345678"
D = date


async def _store_of_parcels(store: Store) -> None:
    async def parcel(
        number: str, carrier: str, service: str, dates: tuple[date, date, date], **kw: str
    ) -> None:
        shipped, promised, delivered = dates
        await delivered_parcel(
            store, number, carrier, service=service, shipped=shipped, promised=promised, delivered=delivered,
            now=NOW, **kw,
        )  # fmt: skip

    await parcel(
        NDA_LATE,
        "ups",
        "UPS Next Day Air",
        (D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 5)),
        shipping_cost="48.20",
    )
    await parcel(NDA_ON_TIME, "ups", "UPS Next Day Air", (D(2026, 3, 9), D(2026, 3, 10), D(2026, 3, 10)))
    await parcel(NDA_LONG_AGO, "ups", "UPS Next Day Air", (D(2026, 2, 10), D(2026, 2, 11), D(2026, 2, 13)))
    await parcel(GROUND_LATE, "ups", "UPS Ground", (D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 6)))
    await parcel(PAKET_LATE, "dhl", "DHL Paket", (D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 6)), country="DE")
    await parcel(
        FEDEX_LATE, "fedex", "FedEx Priority Overnight", (D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 5))
    )
    await parcel(
        XPRESSPOST_LATE, "canadapost", "Xpresspost", (D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 5)),
        country="CA", shipping_cost="21.50", currency="CAD",
    )  # fmt: skip


async def _sweep(store: Store, now: datetime = NOW, since: date | None = None) -> Sweep:
    entries = await guarantee_sweep.load(store, now, by="tester")
    return guarantee_sweep.select(entries, now, since=since)


async def test_only_late_deliveries_with_a_guarantee_in_force_and_an_open_window_are_swept(
    store: Store,
) -> None:
    await _store_of_parcels(store)
    sweep = await _sweep(store)

    listed = {(i.operator, i.tracking_number, i.policy_id) for i in sweep.items}
    assert listed == {("ups", NDA_LATE, "ups.gsr"), ("canadapost", XPRESSPOST_LATE, "canadapost.guarantee")}
    # Ground and FedEx's guarantee are not known to be back; the February parcel's 15 days are over.
    # DHL Paket has no guarantee, and the parcel on time no claim: neither is counted.
    assert sweep.left_out == {
        "guarantee not known to be in force on the ship date": 2,
        "refund-request window closed": 1,
    }
    ups = next(i for i in sweep.items if i.operator == "ups")
    assert ups.amount == Money(amount=Decimal("48.20"), currency="USD")
    assert (ups.shipped_on, ups.promised) == (D(2026, 3, 2), "2026-03-03")
    assert ups.deadline == D(2026, 3, 20)  # 15 days after the delivery on 5 March
    assert ups.days_left == 8
    canada = next(i for i in sweep.items if i.operator == "canadapost")
    assert canada.amount == Money(amount=Decimal("21.50"), currency="CAD")
    assert canada.deadline > D(2026, 4, 3)  # 30 working days after the guaranteed 3 March


async def test_the_window_closes_after_its_last_day_and_since_filters_by_delivery(store: Store) -> None:
    await _store_of_parcels(store)
    last_day = datetime(2026, 3, 21, 3, 59, tzinfo=UTC)  # 20 March, 23:59 in New York
    assert NDA_LATE in {i.tracking_number for i in (await _sweep(store, last_day)).items}
    after = datetime(2026, 3, 21, 4, 0, tzinfo=UTC)
    assert NDA_LATE not in {i.tracking_number for i in (await _sweep(store, after)).items}
    assert (await _sweep(store, since=D(2026, 3, 6))).items == ()  # both were delivered on 5 March


async def test_a_filed_refund_is_not_swept_again(store: Store) -> None:
    await _store_of_parcels(store)
    ups = next(i for i in (await _sweep(store)).items if i.operator == "ups")
    await lifecycle.set_status(store, ups.claim_id, ClaimStatus.READY, by="tester", now=NOW)
    await lifecycle.set_status(store, ups.claim_id, ClaimStatus.FILED, by="tester", now=NOW)
    sweep = await _sweep(store)
    assert [i.operator for i in sweep.items] == ["canadapost"]
    assert sweep.left_out["already filed"] == 1


async def test_a_parcel_shipped_while_ups_had_suspended_its_guarantee_is_left_out(store: Store) -> None:
    await delivered_parcel(
        store, NDA_LATE, "ups", service="UPS Next Day Air", shipped=D(2020, 6, 1), promised=D(2020, 6, 2),
        delivered=D(2020, 6, 4), shipping_cost="48.20", now=datetime(2020, 6, 1, tzinfo=UTC),
    )  # fmt: skip
    sweep = await _sweep(store, datetime(2020, 6, 10, 12, 0, tzinfo=UTC))
    assert sweep.items == ()
    assert sweep.left_out == {"guarantee suspended on the ship date": 1}
    # The draft itself says so, in both languages, and is never filed automatically.
    [gsr] = [c for c in await lifecycle.list_claims(store) if c.policy_id == "ups.gsr"]
    assert "guarantee_not_in_force" in gsr.document["claim"]["warnings"] and not gsr.auto_file
    assert "GUARANTEE NOT IN FORCE" in render(gsr.document, language="en", markdown=False)
    assert "保证未生效" in render(gsr.document, language="zh", markdown=False)


async def test_a_draft_of_a_guarantee_in_force_has_no_such_warning(store: Store) -> None:
    await _store_of_parcels(store)
    ups = next(i for i in (await _sweep(store)).items if i.operator == "ups")
    claim = await lifecycle.get(store, ups.claim_id)
    assert "guarantee_not_in_force" not in claim.document["claim"]["warnings"]
    assert "GUARANTEE NOT IN FORCE" not in render(claim.document, language="en", markdown=False)


def _item(operator: str, amount: Money | None) -> SweepItem:
    return SweepItem(
        claim_id=7, shipment_id=3, operator=operator, policy_id="p", tracking_number="TN1", service="Express",
        shipped_on=D(2026, 3, 2), promised="2026-03-03", delivered_at=datetime(2026, 3, 5, 15, 0, tzinfo=UTC),
        amount=amount, deadline=D(2026, 3, 20), days_left=8, time_zone="UTC", order_ref="order-1",
    )  # fmt: skip


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_each_carrier_gets_its_refund_request_shape() -> None:
    usd = Money(amount=Decimal("48.20"), currency="USD")
    [ups] = _rows(carrier_csv("ups", [_item("ups", usd)]))
    assert ups == {
        "Tracking Number": "TN1", "Ship Date": "2026-03-02", "Service": "Express",
        "Scheduled Delivery": "2026-03-03", "Delivered": "2026-03-05 15:00 UTC", "Shipper Account": "",
        "Invoice Number": "", "Refund Amount": "48.20", "Currency": "USD", "Request By": "2026-03-20",
        "Reference": "order-1",
    }  # fmt: skip
    [fedex] = _rows(carrier_csv("fedex", [_item("fedex", usd)]))
    assert list(fedex)[:3] == ["Invoice Number", "Account Number", "Tracking Number"]
    assert (fedex["Tracking Number"], fedex["Commitment"], fedex["Amount"]) == ("TN1", "2026-03-03", "48.20")
    [canada] = _rows(carrier_csv("canadapost", [_item("canadapost", None)]))
    assert (canada["Tracking PIN"], canada["Guaranteed Date"], canada["Postage Paid"]) == (
        "TN1",
        "2026-03-03",
        "",
    )
    [other] = _rows(carrier_csv("usps", [_item("usps", usd)]))
    assert (other["tracking_number"], other["amount"], other["policy"]) == ("TN1", "48.20", "p")


async def test_the_batch_has_a_csv_per_carrier_and_packs_that_verify_and_a_rerun_adds_nothing(
    store: Store, tmp_path: Path
) -> None:
    await _store_of_parcels(store)
    items = (await _sweep(store)).items
    out = tmp_path / "batch"
    first = await write_batch(store, out, items, now=NOW)

    assert sorted(p.name for p in first.csv_files) == [
        "refund-requests-canadapost.csv",
        "refund-requests-ups.csv",
    ]
    [ups_row] = _rows((out / "refund-requests-ups.csv").read_bytes())
    assert (ups_row["Tracking Number"], ups_row["Refund Amount"]) == (NDA_LATE, "48.20")
    packs = sorted((out / "packs").iterdir())
    assert [p.name for p in packs] == sorted(f"claim-{i.claim_id}" for i in items)
    for pack in packs:
        verified = verify_pack(pack)
        assert verified.ok, verified.problems
    written = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "Jane Doe" not in written and "555 0100" not in written  # redacted by default
    assert set(first.manifest["claims"]) == {str(i.claim_id) for i in items}

    csv_before = {p.name: p.read_bytes() for p in first.csv_files}
    pack_files_before = sorted(p.relative_to(out) for p in (out / "packs").rglob("*"))
    again = await write_batch(store, out, (await _sweep(store)).items, now=NOW.replace(hour=18))
    assert again.packs_written == () and sorted(again.packs_kept) == sorted(i.claim_id for i in items)
    assert {p.name: p.read_bytes() for p in again.csv_files} == csv_before
    assert sorted(p.relative_to(out) for p in (out / "packs").rglob("*")) == pack_files_before
    assert again.manifest == first.manifest


async def test_a_pack_cut_short_before_its_manifest_is_written_again(store: Store, tmp_path: Path) -> None:
    await _store_of_parcels(store)
    items = (await _sweep(store)).items
    partial = tmp_path / "batch" / "packs" / f"claim-{items[0].claim_id}"
    (partial / "payloads").mkdir(parents=True)
    (partial / "payloads" / "half-written.json").write_text("{")

    result = await write_batch(store, tmp_path / "batch", items, now=NOW)

    assert items[0].claim_id in result.packs_written
    assert not (partial / "payloads" / "half-written.json").exists()
    verified = verify_pack(partial)
    assert verified.ok, verified.problems


SHIPPED = D(2026, 3, 2)


def _entry(
    *, latest: date | None, earliest: date | None = None, shipped: date | None = SHIPPED
) -> guarantee_sweep.SweepInput:
    """A drafted UPS refund claim not yet expired by a drafting run (``select`` alone)."""
    claim = lifecycle.StoredClaim(
        id=1, shipment_id=1, anomaly=AnomalyKind.DELIVERED_LATE, policy_id="ups.gsr", respondent=Party.CARRIER,
        incident=Incident.DELAY, status=ClaimStatus.DRAFT, auto_file=False, amount=None, earliest=earliest,
        latest=latest, time_zone="America/New_York", document={}, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    shipment = Shipment(tracking_number=NDA_LATE, carrier="ups", service="UPS Next Day Air")
    return guarantee_sweep.SweepInput(claim, shipment, shipped, datetime(2026, 3, 5, 15, tzinfo=UTC))


def test_select_alone_judges_the_window_in_the_claimants_zone() -> None:
    def reasons(entry: guarantee_sweep.SweepInput, now: datetime = NOW) -> dict[str, int]:
        return guarantee_sweep.select([entry], now).left_out

    late_evening = datetime(2026, 3, 13, 3, 0, tzinfo=UTC)  # still 12 March in New York
    assert guarantee_sweep.select([_entry(latest=D(2026, 3, 12))], late_evening).items != ()
    assert reasons(_entry(latest=D(2026, 3, 12)), late_evening.replace(hour=5)) == {
        "refund-request window closed": 1
    }
    assert reasons(_entry(latest=D(2026, 3, 20), earliest=D(2026, 3, 13))) == {
        "refund-request window not open yet": 1
    }
    assert reasons(_entry(latest=None)) == {"no refund-request period known": 1}
    assert reasons(_entry(latest=D(2026, 3, 20), shipped=None)) == {"ship or delivery date unknown": 1}


async def test_personal_data_stays_in_the_packs_only_when_asked_for(store: Store, tmp_path: Path) -> None:
    await _store_of_parcels(store)
    items = (await _sweep(store)).items
    result = await write_batch(store, tmp_path / "batch", items, now=NOW, include_personal=True)
    assert {entry["personal_data"] for entry in result.manifest["claims"].values()} == {"included"}
    written = "".join(p.read_text(errors="replace") for p in (tmp_path / "batch").rglob("*") if p.is_file())
    assert "Jane Doe" in written
