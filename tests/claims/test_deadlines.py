"""Filing windows: the claimant's calendar, working days and holidays, months, anchors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.anchors import AnchorDates, UnknownAnchor, anchor_dates
from claims.deadlines import (
    DeadlineError,
    add_months,
    count_days,
    deadline,
    deadlines_for,
    duty_passed,
    window_deadline,
)
from claims.model import Anchor, ClaimFacts, DayCount, Incident, Window
from claims.policies import ALL_POLICIES, policy
from parcel_watch.model import EstimateRevision, Location, Shipment, TrackingEvent
from parcel_watch.status import Status

ZONES = ["UTC", "Europe/London", "Europe/Berlin", "America/Los_Angeles", "Asia/Shanghai", "Pacific/Auckland"]
COUNTRIES = ["GB-ENG", "DE", "US", "CA", "CN", "FR"]


def test_months_keep_the_day_or_fall_back_to_the_months_last_day() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 3, 31), 0) == date(2026, 3, 31)


def test_the_delivery_instant_becomes_the_claimants_own_date() -> None:
    window = Window(Anchor.DELIVERY, latest=14, name="notice")
    late_evening_utc = datetime(2026, 3, 20, 22, 0, tzinfo=UTC)
    in_london = deadline(window, late_evening_utc, "Europe/London")
    in_tokyo = deadline(window, late_evening_utc, "Asia/Tokyo")
    assert (in_london.anchor_date, in_london.latest) == (date(2026, 3, 20), date(2026, 4, 3))
    assert (in_tokyo.anchor_date, in_tokyo.latest) == (date(2026, 3, 21), date(2026, 4, 4))
    assert "2026-03-21 (Asia/Tokyo)" in in_tokyo.basis[0]


def test_working_days_skip_the_regions_bank_holidays_and_name_them() -> None:
    window = Window(Anchor.SHIP_DATE, latest=3, days=DayCount.WORKING)
    # Thu 2 Apr 2026: Good Friday everywhere in the UK, Easter Monday in England, not in Scotland.
    england = deadline(window, date(2026, 4, 2), "Europe/London", "GB-ENG")
    scotland = deadline(window, date(2026, 4, 2), "Europe/London", "GB-SCT")
    assert england.latest == date(2026, 4, 9)
    assert scotland.latest == date(2026, 4, 8)
    assert "2026-04-03 Good Friday" in england.basis[-1] and "2026-04-06 Easter Monday" in england.basis[-1]


def test_working_days_without_a_holiday_calendar_skip_weekends_only_and_say_so() -> None:
    window = Window(Anchor.SHIP_DATE, latest=1, days=DayCount.WORKING)
    found = deadline(window, date(2026, 12, 24), "UTC")
    assert found.latest == date(2026, 12, 25)  # Friday; Christmas not known without a country
    assert "no holiday calendar given" in found.basis[-1]


def test_a_zero_day_working_window_moves_off_a_weekend() -> None:
    day, skipped = count_days(date(2026, 12, 26), 0, DayCount.WORKING, "GB-ENG")
    assert day == date(2026, 12, 29)  # Sat 26, Sun 27, Boxing Day observed Mon 28
    assert skipped == (date(2026, 12, 28),)


def test_bad_inputs_are_clear_errors() -> None:
    window = Window(Anchor.DELIVERY, latest=7, days=DayCount.WORKING)
    with pytest.raises(DeadlineError, match="time zone"):
        deadline(window, date(2026, 1, 5), "Mars/Olympus")
    with pytest.raises(DeadlineError, match="holiday calendar"):
        deadline(window, date(2026, 1, 5), "UTC", "XX")
    with pytest.raises(DeadlineError, match="aware"):
        deadline(window, datetime(2026, 1, 5, 12, 0), "UTC")
    with pytest.raises(DeadlineError, match="opens after it closes"):
        deadline(Window(Anchor.DELIVERY, earliest=10, latest=5), date(2026, 1, 5), "UTC")


def test_a_window_counting_its_first_day_from_another_event_needs_that_event() -> None:
    royal_mail_loss = policy("royalmail.inland").windows[0]
    with pytest.raises(UnknownAnchor, match="scheduled delivery"):
        deadline(royal_mail_loss, date(2026, 3, 30), "Europe/London", "GB-ENG")


def test_an_earliest_day_after_the_last_one_becomes_the_last_one() -> None:
    royal_mail_loss = policy("royalmail.inland").windows[0]
    found = deadline(
        royal_mail_loss, date(2026, 1, 5), "Europe/London", "GB-ENG", earliest_anchor=date(2026, 3, 20)
    )
    assert found.latest == date(2026, 3, 26)  # 80 days after posting
    assert found.earliest == found.latest
    assert "file by 2026-03-26" in found.basis[-1]


def test_the_fallback_window_counts_when_the_first_anchor_is_unknown() -> None:
    cmr_loss = next(w for w in policy("cmr").windows if Incident.LOSS in w.incidents)
    with_date = window_deadline(cmr_loss, AnchorDates(scheduled_delivery=date(2026, 4, 10)), "UTC", None)
    without = window_deadline(cmr_loss, AnchorDates(ship_date=date(2026, 1, 5)), "UTC", None)
    assert with_date.earliest == date(2026, 5, 10)
    assert without.earliest == date(2026, 3, 6)
    with pytest.raises(UnknownAnchor, match="ship date"):
        window_deadline(cmr_loss, AnchorDates(), "UTC", None)


def test_windows_with_an_unknown_start_are_listed_with_the_reason() -> None:
    found = deadlines_for(policy("dhl_paket"), Incident.DAMAGE, AnchorDates(), "Europe/Berlin")
    assert found.known == ()
    assert [w.name for w, _ in found.unknown] == [
        "notice of visible damage",
        "notice of hidden damage",
        "limitation",
    ]
    assert all("no delivery scan yet" in reason for _, reason in found.unknown)


def test_a_late_parcel_becomes_a_non_delivery_for_consumer_law_once_the_delivery_period_ends() -> None:
    eu = policy("eu.crd.art18")
    bought = AnchorDates(purchased_on=date(2026, 1, 10))
    assert not duty_passed(eu, bought, date(2026, 2, 9), "Europe/Vienna")
    assert duty_passed(eu, bought, date(2026, 2, 10), "Europe/Vienna")
    assert duty_passed(policy("ups.us"), bought, date(2026, 1, 11), "UTC")  # no period: a right at once


def _event(at: datetime, status: Status) -> TrackingEvent:
    return TrackingEvent(occurred_at=at, status=status, location=Location(country="US"))


def test_anchors_from_a_shipment_use_the_first_acceptance_scan_and_the_original_estimate() -> None:
    t0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    first_eta, slipped_eta = t0 + timedelta(days=3), t0 + timedelta(days=6)
    shipment = Shipment(
        tracking_number="1Z5R89390357567127",
        carrier="ups",
        status=Status.DELIVERED,
        estimated_delivery=slipped_eta,
        estimate_revisions=[
            EstimateRevision(estimated_delivery=slipped_eta, recorded_at=t0 + timedelta(days=2)),
            EstimateRevision(estimated_delivery=first_eta, recorded_at=t0),
        ],
    )
    events = [
        _event(t0 + timedelta(days=7), Status.DELIVERED),
        _event(t0 - timedelta(days=1), Status.INFO_RECEIVED),  # label created: not yet with the carrier
        _event(t0, Status.IN_TRANSIT),
    ]
    found = anchor_dates(shipment, events, ClaimFacts(purchased_on=date(2026, 2, 27)))
    assert found.ship_date == t0
    assert found.scheduled_delivery == first_eta  # a slipped estimate does not move the window
    assert found.delivered_at == t0 + timedelta(days=7)
    assert found.purchased_on == date(2026, 2, 27)
    assert found.invoice_date is None


def test_a_reopened_shipment_has_no_delivery_anchor_and_the_recorded_ship_date_wins() -> None:
    t0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    shipment = Shipment(
        tracking_number="1Z5R89390357567127",
        carrier="ups",
        status=Status.RETURNING,
        ship_date=date(2026, 3, 1),
        promised_delivery=date(2026, 3, 5),
    )
    events = [_event(t0, Status.IN_TRANSIT), _event(t0 + timedelta(days=3), Status.DELIVERED)]
    found = anchor_dates(shipment, events, ClaimFacts())
    assert found.delivered_at is None
    assert found.ship_date == date(2026, 3, 1)
    assert found.scheduled_delivery == found.expected_delivery == date(2026, 3, 5)


# -- properties ------------------------------------------------------------------------

WINDOWS = sorted(
    {(p.id, i, w) for p in ALL_POLICIES for i, w in enumerate((*p.windows, *((p.duty,) if p.duty else ())))},
    key=lambda t: (t[0], t[1]),
)
days = st.dates(min_value=date(2001, 1, 1), max_value=date(2060, 12, 31))
instants = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)
when = st.one_of(days, instants)


def _dates(start: date | datetime, gaps: list[int]) -> AnchorDates:
    """All anchors, in the order a shipment meets them, spaced by ``gaps`` days."""
    names = ["purchased_on", "ship_date", "scheduled_delivery", "expected_delivery", "delivered_at"]
    names += ["invoice_date", "return_received", "dispute_opened"]
    values, current = {}, start
    for name, gap in zip(names, gaps, strict=True):
        current += timedelta(days=gap)
        values[name] = current
    return AnchorDates(**values)


gap_lists = st.lists(st.integers(0, 40), min_size=8, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(WINDOWS), when, gap_lists, st.sampled_from(ZONES), st.sampled_from(COUNTRIES))
def test_every_windows_earliest_day_is_on_or_before_its_last(
    entry: tuple[str, int, Window], start: date, gaps: list[int], zone: str, country: str
) -> None:
    found = window_deadline(entry[2], _dates(start, gaps), zone, country)
    assert found.earliest <= found.latest
    assert found.anchor_date <= found.latest


@settings(max_examples=300, deadline=None)
@given(
    days,
    st.integers(0, 45),
    st.sampled_from([DayCount.WORKING, DayCount.EXCLUDING_SUNDAYS]),
    st.sampled_from(COUNTRIES),
)
def test_working_day_windows_never_end_on_a_day_off(
    start: date, n: int, count: DayCount, country: str
) -> None:
    code, _, region = country.partition("-")
    off = holidays.country_holidays(code, subdiv=region or None)
    found = deadline(Window(Anchor.DELIVERY, latest=n, earliest=min(n, 3), days=count), start, "UTC", country)
    for day in (found.latest, found.earliest):
        assert day not in off
        assert day.weekday() < (5 if count is DayCount.WORKING else 6)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(WINDOWS),
    when,
    gap_lists,
    st.lists(st.integers(0, 60), min_size=8, max_size=8),
    st.sampled_from(ZONES),
    st.sampled_from(COUNTRIES),
)
def test_a_later_anchor_never_moves_a_deadline_earlier(
    entry: tuple[str, int, Window], start: date, gaps: list[int], shifts: list[int], zone: str, country: str
) -> None:
    window = entry[2]
    before = window_deadline(window, _dates(start, gaps), zone, country)
    later = AnchorDates(
        **{
            name: value + timedelta(days=shift)
            for (name, value), shift in zip(vars(_dates(start, gaps)).items(), shifts, strict=True)
        }
    )
    after = window_deadline(window, later, zone, country)
    assert after.latest >= before.latest
    assert after.earliest >= before.earliest


@settings(max_examples=200, deadline=None)
@given(days, st.integers(0, 120))
def test_month_arithmetic_lands_in_the_right_month_on_or_before_the_same_day(
    start: date, months: int
) -> None:
    moved = add_months(start, months)
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == months
    assert moved.day <= start.day
    assert moved.day == start.day or (moved + timedelta(days=1)).month != moved.month
