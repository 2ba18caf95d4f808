"""``purge``: which shipments go, what of them goes, and what stays (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Table, select

from claims import lifecycle
from claims.drafting import Situation, draft_claims
from claims.model import Anomaly, AnomalyKind, ClaimFacts, ClaimStatus
from claims.rendering import render
from claims.sdr import bundled_rates
from parcel_watch.model import ShipmentUpdate
from parcel_watch.purge import MAX_DAYS, DurationError, parse_duration, qualifies
from parcel_watch.purge_run import purge
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, RawPayload, Store
from parcel_watch.store.schema import Base, claim_status_changes, claims, events, raw_payloads, shipments
from parcel_watch.views.carrier_report import By, carrier_report
from tests.store import purge_data as d
from tests.views import report_dataset

AGE = timedelta(days=180)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
CUTOFF = NOW - AGE


async def table(store: Store, t: Table, **where: Any) -> list[Any]:
    query = select(t).where(*(t.c[k] == v for k, v in where.items()))
    async with store.reading() as conn:
        return list((await conn.execute(query.order_by(*t.primary_key.columns))).all())


async def dump(store: Store) -> dict[str, list[Any]]:
    return {name: await table(store, t) for name, t in Base.metadata.tables.items()}


# -- the age -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"), [("180d", 180), ("26w", 182), ("1d", 1), (" 30D ", 30), ("2 w", 14), ("36500d", 36500)]
)
def test_durations_in_days_and_weeks(text: str, days: int) -> None:
    assert parse_duration(text) == timedelta(days=days)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("6m", "months or minutes"),
        ("180", "days or weeks"),
        ("0d", "between 1 day"),
        ("36501d", "between 1 day"),
        ("-5d", "days or weeks"),
        ("1y", "unit .y. is not d"),
        ("١٨٠d", "days or weeks"),  # Arabic-Indic digits are not an age anyone means
        ("", "days or weeks"),
    ],
)
def test_nonsense_ages_are_refused_saying_why(text: str, says: str) -> None:
    with pytest.raises(DurationError, match=says):
        parse_duration(text)


@given(
    st.integers(min_value=1, max_value=MAX_DAYS),
    st.sampled_from(["d", "D", "w", "W"]),
    st.text(" ", max_size=2),
)
def test_duration_property_number_times_unit(number: int, unit: str, pad: str) -> None:
    days = number * (7 if unit.lower() == "w" else 1)
    text = f"{pad}{number}{pad}{unit}{pad}"
    if days > MAX_DAYS:
        with pytest.raises(DurationError):
            parse_duration(text)
    else:
        assert parse_duration(text) == timedelta(days=days)


@given(st.text(max_size=12))
def test_duration_property_any_text_is_an_age_or_a_clear_refusal(text: str) -> None:
    try:
        age = parse_duration(text)
    except DurationError as exc:
        assert repr(text) in str(exc)
    else:
        assert 1 <= age.days <= MAX_DAYS and age == timedelta(days=age.days)


def test_qualifying_is_strictly_older_than_the_cutoff_and_terminal() -> None:
    assert qualifies(Status.DELIVERED, CUTOFF - timedelta(microseconds=1), CUTOFF)
    assert not qualifies(Status.DELIVERED, CUTOFF, CUTOFF)
    assert qualifies(Status.RETURNED, CUTOFF - timedelta(days=1), CUTOFF)
    assert not qualifies(Status.IN_TRANSIT, CUTOFF - timedelta(days=900), CUTOFF)


# -- what goes, what stays -------------------------------------------------------------------


async def test_personal_data_goes_everywhere_and_the_facts_stay(store: Store) -> None:
    sid = await d.parcel(store, "1Z0000000000000001", d.T0)
    await d.contacts(store, sid)
    await d.claim(store, sid, "paid")  # closed: holds nothing
    before_events = await table(store, events, shipment_id=sid)
    [payload] = await table(store, raw_payloads)

    report = await purge(store, AGE, NOW)

    assert (report.qualifying, report.purged, report.held, report.payloads_deleted) == (1, 1, 0, 1)
    assert report.bytes_freed == len(payload.body) and report.events_redacted == 1
    [ship] = await table(store, shipments, id=sid)
    assert (ship.label, ship.order_ref) == (None, None)
    assert (ship.status, ship.carrier, ship.service, ship.destination_country) == (
        "DELIVERED",
        "ups",
        "UPS Ground",
        "US",
    )
    assert ship.declared_value == "80.00" and ship.last_event_at == d.T0
    after_events = await table(store, events, shipment_id=sid)
    assert [e.description for e in after_events] == [
        "Departed from facility",
        "Delivered, signed by [redacted]",
    ]
    assert {e.postal_code for e in after_events} == {None} and {e.payload_id for e in after_events} == {None}
    keep = ("occurred_at", "status", "country", "city", "carrier_code", "utc_offset_minutes")
    assert [[getattr(e, k) for k in keep] for e in after_events] == [
        [getattr(e, k) for k in keep] for e in before_events
    ]
    assert await store.payload(payload.sha256) is None  # the body is gone, the hash freed
    [stub] = await table(store, raw_payloads)
    assert (stub.sha256, stub.size, stub.carrier) == (f"purged:{stub.id}", 0, "ups")
    for name in ("claim_facts", "notify_watchers", "notify_log"):
        assert await table(store, Base.metadata.tables[name]) == [], name
    [c] = await table(store, claims)
    assert (c.status, c.amount, c.currency) == ("paid", "80.00", "USD")
    assert d.NAME.upper() not in c.draft and "#4711" not in c.draft and "[redacted]" in c.draft
    [change] = await table(store, claim_status_changes)
    assert change.changed_by == "[redacted]" and d.PHONE not in (change.note or "")


async def test_old_shipments_still_moving_and_recent_ones_are_left_alone(store: Store) -> None:
    moving = await d.parcel(store, "1Z0000000000000002", d.T0, status=Status.IN_TRANSIT)
    at_cutoff = await d.parcel(store, "1Z0000000000000003", CUTOFF)
    just_older = await d.parcel(store, "1Z0000000000000004", CUTOFF - timedelta(seconds=1))

    report = await purge(store, AGE, NOW)

    assert (report.qualifying, report.purged, report.payloads_deleted) == (1, 1, 1)
    labels = {s.id: s.label for s in await table(store, shipments)}
    assert labels == {moving: d.LABEL, at_cutoff: d.LABEL, just_older: None}


async def test_a_payload_shared_with_a_shipment_not_purged_stays_until_both_are(store: Store) -> None:
    both = d.body("1Z0000000000000005", "1Z0000000000000006")
    old = await d.parcel(store, "1Z0000000000000005", d.T0, payload=both)
    young = await d.parcel(store, "1Z0000000000000006", NOW - timedelta(days=10), payload=both)

    report = await purge(store, AGE, NOW)

    assert (report.purged, report.payloads_deleted, report.payloads_shared) == (1, 0, 1)
    [payload] = await table(store, raw_payloads)
    assert payload.size == len(both)
    # The purged shipment still points at it: the link is how a later run knows it is theirs only.
    assert {e.payload_id for e in await table(store, events, shipment_id=old)} == {payload.id}

    later = await purge(store, AGE, NOW + timedelta(days=365))

    assert (later.purged, later.payloads_deleted) == (2, 1)  # the old one: its link went now
    assert (await table(store, raw_payloads))[0].size == 0
    assert {e.payload_id for e in await table(store, events, shipment_id=young)} == {None}


async def test_payloads_no_event_refers_to_go_once_older_than_the_cutoff(store: Store) -> None:
    last = NOW - timedelta(days=400)
    await d.parcel(store, "1Z0000000000000007", last, status=Status.IN_TRANSIT)
    # The same scans again in other bytes: stored, but no event is new, so nothing refers to it.
    again = ShipmentUpdate(
        carrier="ups", tracking_number="1Z0000000000000007", events=d.scans(last, Status.IN_TRANSIT)
    )
    for days, nonce in ((300, "old"), (5, "new")):
        raw = RawPayload(
            "ups", d.body("1Z0000000000000007", nonce=nonce), received_at=NOW - timedelta(days=days)
        )
        await store.ingest([IngestItem([again], raw)])

    report = await purge(store, AGE, NOW)

    assert (report.qualifying, report.payloads_deleted) == (0, 1)  # 300 days old; 400: an event's
    sizes = sorted(p.size > 0 for p in await table(store, raw_payloads))
    assert sizes == [False, True, True]


# -- held for claims -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "latest", "held"),
    [
        ("filed", None, True),  # waiting for the carrier
        ("partially_paid", None, True),
        ("draft", NOW.date() + timedelta(days=3), True),  # still to file, window open
        ("ready", None, True),  # no deadline known: open
        ("draft", NOW.date() - timedelta(days=3), False),  # its last filing day passed
        ("denied", None, False),
        ("expired", None, False),
    ],
)
async def test_an_open_claim_keeps_its_evidence(store: Store, status: str, latest: Any, held: bool) -> None:
    sid = await d.parcel(store, "1Z0000000000000008", d.T0)
    await d.claim(store, sid, status, latest=latest)

    report = await purge(store, AGE, NOW)

    assert (report.held_claim_open, report.purged) == ((1, 0) if held else (0, 1))
    [ship] = await table(store, shipments, id=sid)
    assert (ship.label == d.LABEL) is held
    assert ((await table(store, raw_payloads))[0].size > 0) is held


async def test_an_open_anomaly_holds_while_a_claim_could_still_be_filed(store: Store) -> None:
    # UPS (US terms): a damage claim within 9 months of the delivery.
    delivered = datetime(2025, 6, 2, 18, 0, tzinfo=UTC)
    sid = await d.parcel(store, "1Z0000000000000009", delivered)
    await d.anomaly(store, sid, "damaged")

    within = await purge(store, AGE, delivered + timedelta(days=200))
    assert (within.qualifying, within.held_claim_window_open, within.purged) == (1, 1, 0)

    # The ups.us claim stored and expired: that policy no longer holds; none other applies.
    await d.claim(store, sid, "expired", policy="ups.us")
    report = await purge(store, AGE, delivered + timedelta(days=200))
    assert (report.held, report.purged) == (0, 1)
    [a] = await table(store, Base.metadata.tables["anomalies"])
    assert a.state == "open" and d.PHONE not in a.details and '"days_late": 3' in a.details


async def test_an_open_anomaly_whose_windows_closed_holds_nothing(store: Store) -> None:
    delivered = datetime(2025, 1, 6, 18, 0, tzinfo=UTC)
    sid = await d.parcel(store, "1Z0000000000000010", delivered)
    await d.anomaly(store, sid, "damaged")

    report = await purge(store, AGE, delivered + timedelta(days=400))

    assert (report.held, report.purged) == (0, 1)


# -- runs ----------------------------------------------------------------------------------------


async def _mixed_store(store: Store) -> None:
    for n in range(3):
        sid = await d.parcel(store, f"1Z00000000000001{n:02d}", d.T0 + timedelta(days=n))
        await d.contacts(store, sid)
    await d.claim(store, sid, "filed")  # the last one is held
    await d.parcel(store, "1Z0000000000000200", d.T0, status=Status.IN_TRANSIT)


async def test_a_dry_run_counts_what_a_run_does_and_changes_nothing(store: Store) -> None:
    await _mixed_store(store)
    before = await dump(store)

    dry = await purge(store, AGE, NOW, dry_run=True)

    assert await dump(store) == before
    real = await purge(store, AGE, NOW)
    assert dry.dry_run and not real.dry_run
    counted = (
        "qualifying",
        "purged",
        "held_claim_open",
        "payloads_deleted",
        "bytes_freed",
        "events_redacted",
    )
    assert [getattr(dry, k) for k in counted] == [getattr(real, k) for k in counted]
    assert (real.qualifying, real.purged, real.held_claim_open, real.payloads_deleted) == (3, 2, 1, 2)


async def test_a_second_run_finds_nothing_left_and_chunks_change_nothing(store: Store) -> None:
    await _mixed_store(store)

    first = await purge(store, AGE, NOW, chunk=1)  # one transaction per shipment
    after_first = await dump(store)
    again = await purge(store, AGE, NOW)

    assert (first.purged, first.payloads_deleted) == (2, 2)
    assert (again.purged, again.already_purged, again.payloads_deleted, again.bytes_freed) == (0, 2, 0, 0)
    assert await dump(store) == after_first


async def test_the_carrier_report_reads_the_same_after_a_purge(store: Store) -> None:
    ids = await report_dataset.build(store)
    for name in ("A1", "A2", "A3", "A4"):
        await d.contacts(store, ids[name])
    ups = await d.parcel(store, "1Z0000000000000300", report_dataset.at(8, 12))
    await d.anomaly(store, ups, "delivered_late", state="resolved")
    before = {by: (await carrier_report(store, by)).to_dict() for by in By}

    report = await purge(store, AGE, datetime(2027, 1, 1, tzinfo=UTC))

    assert report.purged == 4 and report.held_claim_open == 1  # A3's partial payment may still grow
    assert {by: (await carrier_report(store, by)).to_dict() for by in By} == before


async def test_the_sqlite_file_keeps_no_copy_of_what_was_purged(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    raw = d.body("1Z0000000000000400")
    async with await Store.open(f"sqlite+aiosqlite:///{path}") as store:
        sid = await d.parcel(store, "1Z0000000000000400", d.T0, payload=raw)
        await d.contacts(store, sid)
        planted = [d.LABEL.encode(), d.HANDOVER.encode(), d.stored_bytes(raw), d.EMAIL.encode()]
        on_disk = _files(path)
        assert all(p in on_disk for p in planted)  # in the file or its write-ahead log

        report = await purge(store, AGE, NOW)

        assert report.sqlite_wal_truncated is True
    on_disk = _files(path)
    assert [p for p in planted if p in on_disk] == []
    assert b"1Z0000000000000400" in on_disk  # the tracking number stays: the shipment's key


def _files(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")))


def test_the_report_serialises_every_count() -> None:
    from parcel_watch.purge import PurgeReport

    data = PurgeReport(cutoff=CUTOFF, dry_run=True, held_claim_open=2, held_claim_window_open=1).to_dict()
    assert data["held"] == 3 and data["cutoff"] == CUTOFF.isoformat()
    assert set(data) == {f.name for f in dataclasses.fields(PurgeReport)} | {"held"}


async def test_a_purged_claim_still_renders_its_letter_without_the_order(store: Store) -> None:
    sid = await d.parcel(store, "1Z0000000000000011", d.T0)
    [shipment] = await store.find("1Z0000000000000011")
    situation = Situation(shipment, await store.timeline(sid), ClaimFacts(), NOW, bundled_rates())
    drafted = draft_claims(Anomaly(AnomalyKind.DAMAGED, sid, d.T0), situation)
    assert drafted and all("#0011" in json.dumps(x.document) for x in drafted)
    stored = await lifecycle.record_drafts(
        store, [(x.draft, x.document) for x in drafted], by="alice", now=NOW
    )
    for c in stored:
        await lifecycle.set_status(store, c.id, ClaimStatus.EXPIRED, by="alice", now=NOW)

    assert (await purge(store, AGE, NOW)).purged == 1

    for c in stored:
        document = (await lifecycle.get(store, c.id)).document
        assert "#0011" not in json.dumps(document)
        for language in ("en", "zh"):
            assert "1Z0000000000000011" in render(document, language=language, markdown=False)
