"""The detail view of one shipment, on a hand-built cross-border S10 item (SQLite and PostgreSQL),
and its pure parts (legs, ETA history, payload text) on hand-made and generated timelines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from claims import lifecycle
from claims.claiming import draft_open_claims
from claims.model import AnomalyKind, AnomalyState
from parcel_watch.model import (
    CarrierSource,
    Location,
    Shipment,
    ShipmentUpdate,
    Source,
    TrackingEvent,
    TzSource,
)
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, RawPayload, Store
from parcel_watch.views.detail import TEXT_CHARS, load_detail, readable
from parcel_watch.views.journey import TimelineEntry, days_late, eta_history, legs

NUMBER = "RR876543216CN"
SHANGHAI, NEW_YORK = 8 * 60, -5 * 60
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def scan(
    hours: float, offset: int | None, status: Status, text: str, city: str | None, country: str | None
) -> TrackingEvent:
    at = T0 + timedelta(hours=hours)
    local = (at + timedelta(minutes=offset)).replace(tzinfo=None) if offset is not None else None
    return TrackingEvent(
        occurred_at=at,
        local_time=local,
        utc_offset_minutes=offset,
        tz_source=TzSource.CARRIER_OFFSET if offset is not None else TzSource.UNKNOWN,
        status=status,
        description=text,
        location=Location(city=city, country=country),
    )


ORIGIN_POST = (
    scan(0, SHANGHAI, Status.INFO_RECEIVED, "Item posted", "SHANGHAI", "CN"),
    scan(20, None, Status.IN_TRANSIT, "In transit", None, None),  # no place: stays in its leg
    scan(30, SHANGHAI, Status.IN_TRANSIT, "Left the office of exchange", "SHANGHAI", "CN"),
)
DESTINATION_POST = (
    scan(80, NEW_YORK, Status.IN_TRANSIT, "Arrived at the office of exchange", "JAMAICA", "US"),
    scan(140, NEW_YORK, Status.DELIVERED, "Delivered [bold]x[/]", "BROOKLYN", "US"),
)
FIRST_ETA, SECOND_ETA = datetime(2026, 3, 5, 22, tzinfo=UTC), datetime(2026, 3, 7, 22, tzinfo=UTC)


def payload(events: tuple[TrackingEvent, ...], received: datetime) -> RawPayload:
    body = json.dumps({"number": NUMBER, "events": [e.description for e in events]}).encode()
    return RawPayload("17track", body, received_at=received)


async def build(store: Store) -> tuple[int, list[RawPayload]]:
    added = await store.add(
        Shipment(
            tracking_number=NUMBER,
            carrier="s10",
            carrier_source=CarrierSource.DETECTED,
            label="tea from Hangzhou",
            origin_country="CN",
            destination_country="US",
            promised_delivery=date(2026, 3, 6),
        ),
        now=T0,
    )
    assert added.shipment.id is not None
    sent = []
    for events, eta, received in (
        (ORIGIN_POST, FIRST_ETA, T0 + timedelta(hours=31)),
        (DESTINATION_POST, SECOND_ETA, T0 + timedelta(hours=141)),
    ):
        body = payload(events, received)
        update = ShipmentUpdate(carrier="s10", tracking_number=NUMBER, events=events, estimated_delivery=eta)
        await store.ingest_polled([IngestItem([update], body)], received, lambda _: [])
        sent.append(body)
    return added.shipment.id, sent


async def test_timeline_keeps_the_carriers_clock_and_the_instant(store: Store) -> None:
    sid, _ = await build(store)
    detail = await load_detail(store, sid, T0 + timedelta(days=10))
    assert detail is not None
    assert [e.description for e in detail.timeline] == [e.description for e in ORIGIN_POST + DESTINATION_POST]
    first, delivered = detail.timeline[0], detail.timeline[-1]
    assert first.at == T0 and str(first.carrier_clock()) == "2026-03-02 10:00:00+08:00"
    # 140 h after 02:00 UTC on 2 March is 22:00 UTC on 7 March: 17:00 in New York.
    assert delivered.at == datetime(2026, 3, 7, 22, 0, tzinfo=UTC)
    assert str(delivered.carrier_clock()) == "2026-03-07 17:00:00-05:00"
    assert detail.timeline[1].carrier_clock() is None  # neither local time nor offset was given
    assert delivered.description == "Delivered [bold]x[/]"  # stored verbatim; the screen cleans it


async def test_legs_run_from_the_origin_post_to_the_destination_post(store: Store) -> None:
    sid, _ = await build(store)
    detail = await load_detail(store, sid, T0)
    assert detail is not None
    assert [(leg.country, leg.operator, len(leg.entries)) for leg in detail.legs] == [
        ("CN", "China Post", 3),
        ("US", "United States Postal Service", 2),
    ]
    origin, destination = detail.legs
    assert (origin.first.at, origin.last.at) == (T0, T0 + timedelta(hours=30))
    assert (destination.start_place.city, destination.end_place.city) == ("JAMAICA", "BROOKLYN")
    assert detail.route == ("CN", "US")
    assert detail.carrier_name == "S10 International Standard"


async def test_eta_history_says_what_was_announced_when(store: Store) -> None:
    sid, _ = await build(store)
    detail = await load_detail(store, sid, T0)
    assert detail is not None
    assert [(r.announced_at, r.estimate, r.shift) for r in detail.eta_history] == [
        (T0 + timedelta(hours=31), FIRST_ETA, None),
        (T0 + timedelta(hours=141), SECOND_ETA, timedelta(days=2)),
    ]
    assert detail.shipment.estimated_delivery == SECOND_ETA
    assert days_late(SECOND_ETA, detail.shipment.promised_delivery, ZoneInfo("Europe/Berlin")) == 1


async def test_raw_payloads_are_shown_with_their_hash_and_what_they_brought(store: Store) -> None:
    sid, sent = await build(store)
    detail = await load_detail(store, sid, T0)
    assert detail is not None
    assert detail.payloads_total == 2
    assert [(p.sha256, p.source, p.received_at, p.events) for p in detail.payloads] == [
        (sent[0].sha256, "poll", sent[0].received_at, 3),
        (sent[1].sha256, "poll", sent[1].received_at, 2),
    ]
    shown = detail.payloads[1]
    assert not shown.truncated and shown.size == len(sent[1].body)
    assert json.loads(shown.text) == json.loads(sent[1].body) and '\n  "number"' in shown.text
    assert detail.timeline[0].payload_sha256 == sent[0].sha256


async def test_anomalies_and_claims_come_with_their_history(store: Store) -> None:
    sid, _ = await build(store)
    now = T0 + timedelta(days=10)
    await draft_open_claims(store, now, by="agent")
    detail = await load_detail(store, sid, now)
    assert detail is not None
    late = [a for a in detail.anomalies if a.anomaly.kind is AnomalyKind.DELIVERED_LATE]
    assert len(late) == 1 and late[0].anomaly.state is AnomalyState.OPEN
    assert [c.change for c in late[0].history] == ["opened"]
    assert detail.open_anomalies == list(detail.anomalies)
    stored = await lifecycle.list_claims(store, shipment_id=sid)
    assert stored and [c.claim for c in detail.claims] == stored
    for shown in detail.claims:
        assert list(shown.history) == await lifecycle.history(store, shown.claim.id)
        assert shown.days_left == lifecycle.days_left(shown.claim, now)


async def test_an_unknown_shipment_has_no_detail(store: Store) -> None:
    assert await load_detail(store, 12345, T0) is None


# -- pure parts ---------------------------------------------------------------------------


def test_a_long_payload_is_cut_and_says_so() -> None:
    body = json.dumps({"events": [{"description": f"scan {i}"} for i in range(2000)]}).encode()
    text, truncated = readable(body, "application/json")
    assert truncated and len(text) <= TEXT_CHARS and text.startswith('{\n  "events"')
    assert readable(b"<a><b>1</b></a>", "application/xml") == ("<a>\n<b>1</b>\n</a>", False)
    # Not JSON after all, or not text at all: shown as received, decoded with placeholders.
    assert readable(b"{oops \xff", "application/json") == ("{oops \ufffd", False)


def entry(n: int, country: str | None) -> TimelineEntry:
    return TimelineEntry(
        id=n,
        at=T0 + timedelta(hours=n),
        local_time=None,
        utc_offset_minutes=None,
        tz_source=TzSource.UNKNOWN,
        status=Status.IN_TRANSIT,
        substatus=None,
        carrier_code=None,
        description="",
        place=Location(country=country),
        source=Source.POLL,
        payload_sha256=None,
    )


@given(st.lists(st.sampled_from(["CN", "US", "GB", None]), max_size=30))
def test_legs_partition_the_timeline_by_country(countries: list[str | None]) -> None:
    entries = [entry(n, c) for n, c in enumerate(countries)]
    journey = legs(entries, postal=False)
    assert [e for leg in journey for e in leg.entries] == entries  # every scan once, in order
    for leg in journey:
        assert {e.place.country for e in leg.entries} <= {leg.country, None}
    for before, after in pairwise(journey):
        assert before.country != after.country and after.country is not None
    changes = [c for i, c in enumerate(countries) if c and c != _last_seen(countries, i)]
    assert len(journey) == (len(changes) or (1 if entries else 0))


def _last_seen(countries: list[str | None], i: int) -> str | None:
    return next((c for c in reversed(countries[:i]) if c), None)


def test_a_return_is_a_leg_back_and_a_timeline_without_places_one_leg() -> None:
    there_and_back = [entry(0, "CN"), entry(1, "US"), entry(2, "CN")]
    assert [leg.country for leg in legs(there_and_back, postal=True)] == ["CN", "US", "CN"]
    (only,) = legs([entry(0, None), entry(1, None)], postal=True)
    assert (only.country, only.operator) == (None, None)
    assert legs([], postal=True) == []


def test_eta_shifts_are_against_the_estimate_before() -> None:
    day = timedelta(days=1)
    history = eta_history([(T0, T0 + 3 * day), (T0 + day, T0 + 2 * day), (T0 + 2 * day, T0 + 5 * day)])
    assert [r.shift for r in history] == [None, -day, 3 * day]
    assert days_late(None, date(2026, 3, 1), UTC) is None
    assert days_late(T0 + 5 * day, None, UTC) is None
    # 23:30 UTC on 5 March is already 6 March in Berlin.
    late_evening = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)
    assert days_late(late_evening, date(2026, 3, 5), UTC) == 0
    assert days_late(late_evening, date(2026, 3, 5), ZoneInfo("Europe/Berlin")) == 1
