"""The pure parts of notifications: status facts from a timeline, quiet hours and digests
across midnight and daylight-saving changes, routing, settings, and URLs shown redacted."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcel_watch.notify_config import NotifyConfigError, NotifySettings, redact, scrub, target_key
from parcel_watch.notify_facts import (
    Fact,
    FactKind,
    ScanEvent,
    ShipmentRef,
    deadline_threshold,
    status_facts,
)
from parcel_watch.notify_schedule import (
    Message,
    QuietHours,
    ScheduleError,
    Timing,
    in_quiet_hours,
    merge,
    next_digest,
    quiet_release,
    retry_delay,
    send_after,
)
from parcel_watch.status import Status

SHIP = ShipmentRef(7, "dhl", "JD014600006281230704", "Boots [b]x[/b]")
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def scan(n: int, minutes: int, status: Status, text: str = "scan") -> ScanEvent:
    return ScanEvent(n, T0 + timedelta(minutes=minutes), status, None, text, "LEIPZIG", "DE")


JOURNEY = [
    scan(1, 0, Status.INFO_RECEIVED),
    scan(2, 60, Status.IN_TRANSIT),
    scan(3, 120, Status.IN_TRANSIT),
    scan(4, 600, Status.OUT_FOR_DELIVERY),
    scan(5, 660, Status.DELIVERED, "Zugestellt"),
]


def keys(facts: list[Fact]) -> list[str]:
    return [f.key for f in facts]


# -- status facts -------------------------------------------------------------------------


def test_each_change_of_status_is_a_fact_and_delivered_is_a_kind_of_its_own() -> None:
    facts = status_facts(SHIP, JOURNEY, seen_up_to=0)
    assert [(f.kind, f.title.split(":")[0]) for f in facts] == [
        (FactKind.STATUS_CHANGE, "Info received"),
        (FactKind.STATUS_CHANGE, "In transit"),
        (FactKind.STATUS_CHANGE, "Out for delivery"),
        (FactKind.DELIVERED, "Delivered"),
    ]
    assert facts[-1].title == "Delivered: dhl JD014600006281230704 (Boots [b]x[/b])"
    assert facts[-1].body == "Zugestellt — Leipzig, DE — 02 Mar 19:00 UTC"


def test_only_events_not_seen_yet_make_facts() -> None:
    assert keys(status_facts(SHIP, JOURNEY, seen_up_to=3)) == keys(status_facts(SHIP, JOURNEY, 0))[2:]
    assert status_facts(SHIP, JOURNEY, seen_up_to=5) == []


def test_an_old_scan_arriving_late_is_history_not_news() -> None:
    late = scan(6, 30, Status.EXCEPTION, "Address corrected")  # before the newest seen scan
    assert status_facts(SHIP, [*JOURNEY, late], seen_up_to=5) == []


def test_a_scan_that_does_not_supersede_the_status_is_no_fact() -> None:
    after_delivery = scan(6, 700, Status.IN_TRANSIT, "Hub scan")  # a late hub scan never un-delivers
    assert status_facts(SHIP, [*JOURNEY, after_delivery], seen_up_to=5) == []


statuses = st.sampled_from([s for s in Status if s is not Status.PENDING])


@st.composite
def timelines(draw: st.DrawFn) -> list[ScanEvent]:
    minutes = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=25, unique=True))
    return [scan(n, m, draw(statuses)) for n, m in enumerate(sorted(minutes), start=1)]


@given(timelines(), st.data())
def test_facts_do_not_depend_on_how_the_scans_were_split_into_runs(
    events: list[ScanEvent], data: st.DataObject
) -> None:
    """Scans arriving in time order over several runs give the facts one run gives."""
    cuts = sorted(data.draw(st.sets(st.integers(1, len(events)), max_size=4)) | {len(events)})
    found, seen = [], 0
    for cut in cuts:
        found += status_facts(SHIP, events[:cut], seen_up_to=seen)
        seen = cut
    assert keys(found) == keys(status_facts(SHIP, events, seen_up_to=0))


@given(timelines(), st.randoms(use_true_random=False))
def test_facts_name_distinct_changes_each_to_a_status_of_a_new_scan(
    events: list[ScanEvent], rng: object
) -> None:
    shuffled = list(events)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    facts = status_facts(SHIP, shuffled, seen_up_to=0)
    assert len(set(keys(facts))) == len(facts)
    titles = [f.title.split(":")[0] for f in facts]
    assert all(a != b for a, b in pairwise(titles))  # never the same status twice running
    assert keys(facts) == keys(status_facts(SHIP, events, seen_up_to=0))  # the order given does not matter


# -- quiet hours and digest ---------------------------------------------------------------

ZONES = [BERLIN, ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney"), ZoneInfo("Asia/Kolkata")]
# The 2026 daylight-saving changes of those zones: instants near them are drawn often.
CHANGES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 16, tzinfo=UTC),
    datetime(2026, 10, 3, 16, tzinfo=UTC),
]
instants = st.one_of(
    st.builds(
        lambda base, minutes: base + timedelta(minutes=minutes),
        st.sampled_from(CHANGES),
        st.integers(-36 * 60, 36 * 60),
    ),
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
)
# Around 02:00-03:00 often: the hour the clocks skip or repeat in these zones.
clock_times = st.one_of(
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    st.builds(time, st.integers(1, 3), st.sampled_from([0, 15, 30, 45])),
)
windows = st.tuples(clock_times, clock_times).filter(lambda w: w[0] != w[1]).map(lambda w: QuietHours(*w))


def check_held_exactly_until_quiet_ends(at: datetime, quiet: QuietHours, zone: ZoneInfo) -> None:
    released = quiet_release(at, quiet, zone)
    if not in_quiet_hours(at, quiet, zone):
        assert released is None
        return
    # At most a day, and one more when the spring-forward gap swallows the whole time
    # between the end and the start (02:15-02:00 is quiet all of that Sunday in Berlin).
    assert released is not None and at < released <= at + timedelta(hours=49)
    assert not in_quiet_hours(released, quiet, zone)
    # Quiet all the way: nothing held longer than the quiet hours last.
    span = released - at
    assert all(in_quiet_hours(at + span * k / 40, quiet, zone) for k in range(40))
    assert in_quiet_hours(released - timedelta(seconds=1), quiet, zone)


@given(instants, windows, st.sampled_from(ZONES))
def test_quiet_hours_hold_a_message_exactly_until_they_end(
    at: datetime, quiet: QuietHours, zone: ZoneInfo
) -> None:
    check_held_exactly_until_quiet_ends(at, quiet, zone)


NIGHTS = [  # (zone, a daylight-saving change): the clocks skip or repeat an hour at night
    (BERLIN, datetime(2026, 3, 29, 1, tzinfo=UTC)),
    (BERLIN, datetime(2026, 10, 25, 1, tzinfo=UTC)),
    (ZoneInfo("America/New_York"), datetime(2026, 3, 8, 7, tzinfo=UTC)),
    (ZoneInfo("America/New_York"), datetime(2026, 11, 1, 6, tzinfo=UTC)),
    (ZoneInfo("Australia/Sydney"), datetime(2026, 4, 4, 16, tzinfo=UTC)),
    (ZoneInfo("Australia/Sydney"), datetime(2026, 10, 3, 16, tzinfo=UTC)),
]
night_windows = st.builds(
    lambda start, end: QuietHours(time(*divmod(start, 60)), time(*divmod(end, 60))),
    st.integers(20 * 60, 23 * 60 + 59) | st.integers(0, 150).map(lambda m: m - m % 15),
    st.integers(60, 240).map(lambda m: m - m % 15),
).filter(lambda q: q.start != q.end)


@settings(max_examples=400)
@given(st.sampled_from(NIGHTS), st.integers(-6 * 60, 6 * 60), night_windows)
def test_quiet_hours_across_a_daylight_saving_night(
    night: tuple[ZoneInfo, datetime], minutes: int, quiet: QuietHours
) -> None:
    zone, change = night
    check_held_exactly_until_quiet_ends(change + timedelta(minutes=minutes), quiet, zone)


@pytest.mark.parametrize(
    ("local", "window", "released_local"),
    [
        (datetime(2026, 3, 28, 23, 59), "02:15-02:00", datetime(2026, 3, 30, 2, 0)),  # found by hypothesis
        (datetime(2026, 10, 25, 2, 50), "02:45-03:15", datetime(2026, 10, 25, 2, 0)),  # the clock turned back
        (datetime(2026, 6, 1, 23, 30), "22:00-07:00", datetime(2026, 6, 2, 7, 0)),  # across midnight
        (datetime(2026, 6, 2, 3, 0), "22:00-07:00", datetime(2026, 6, 2, 7, 0)),
        (datetime(2026, 6, 2, 7, 0), "22:00-07:00", None),  # the end is not quiet
        (datetime(2026, 6, 2, 21, 59), "22:00-07:00", None),
        (datetime(2026, 6, 2, 12, 30), "12:00-14:00", datetime(2026, 6, 2, 14, 0)),  # a lunch break
        (datetime(2026, 3, 28, 23, 0), "22:00-07:00", datetime(2026, 3, 29, 7, 0)),  # spring forward night
        (datetime(2026, 10, 24, 23, 0), "22:00-07:00", datetime(2026, 10, 25, 7, 0)),  # fall back night
        (datetime(2026, 3, 29, 1, 30), "22:00-02:30", datetime(2026, 3, 29, 3, 0)),  # the end is skipped
    ],
)
def test_quiet_hours_in_berlin(local: datetime, window: str, released_local: datetime | None) -> None:
    at = local.replace(tzinfo=BERLIN).astimezone(UTC)
    released = quiet_release(at, QuietHours.parse(window), BERLIN)
    assert (released.astimezone(BERLIN).replace(tzinfo=None) if released else None) == released_local


@given(instants, clock_times, st.sampled_from(ZONES))
def test_the_digest_goes_out_once_a_day_at_its_local_time(at: datetime, digest: time, zone: ZoneInfo) -> None:
    when = next_digest(at, digest, zone)
    assert at < when <= at + timedelta(hours=25)
    wall = when.astimezone(zone)
    nominal = datetime.combine(wall.date(), digest)
    # On the clock at its time, or (in the spring-forward gap) just after the jump.
    assert timedelta(0) <= wall.replace(tzinfo=None) - nominal <= timedelta(hours=1)
    following = next_digest(when, digest, zone)
    assert timedelta(hours=22) <= following - when <= timedelta(hours=26)


def test_a_digest_held_into_quiet_hours_waits_for_them_to_end() -> None:
    at = datetime(2026, 6, 1, 10, tzinfo=UTC)
    timing = Timing(QuietHours.parse("22:00-07:00"), time(6, 0))
    when, mode = send_after(at, timing, BERLIN)
    assert (when.astimezone(BERLIN).replace(tzinfo=None), mode) == (datetime(2026, 6, 2, 7, 0), "digest")
    assert send_after(at, Timing(), BERLIN) == (at, "now")


@pytest.mark.parametrize("bad", ["22-07", "22:00", "25:00-07:00", "07:00-07:00", "22:00-07:00-08:00", ""])
def test_quiet_hours_that_cannot_be_read_say_how_to_write_them(bad: str) -> None:
    with pytest.raises(ScheduleError, match="quiet_hours"):
        QuietHours.parse(bad)


def test_retries_back_off_from_a_minute_to_an_hour() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 7, 8, 50)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 60, 60, 60)
    ]


def test_held_messages_merge_into_one_with_a_line_each() -> None:
    got = merge([Message("A", "a", "info"), Message("B", "b", "warning")], digest=True)
    assert got == Message("parcel-watch daily digest: 2 updates", "• A — a\n• B — b", "warning")
    assert merge([Message("A", "a", "info")], digest=False) == Message("A", "a", "info")


@pytest.mark.parametrize(
    ("days_left", "thresholds", "expected"),
    [(5, (7, 1), 7), (1, (7, 1), 1), (0, (7, 1), 1), (8, (7, 1), None), (-1, (7, 1), None), (3, (3,), 3)],
)
def test_the_reminder_a_deadline_calls_for(
    days_left: int, thresholds: tuple[int, ...], expected: int | None
) -> None:
    assert deadline_threshold(days_left, thresholds) == expected


# -- routing and settings -----------------------------------------------------------------

ALL = "ntfy://ntfy.sh/everything"
MAIL = "mailto://me:app-password@gmail.com"


def fact(kind: FactKind, shipment_id: int = 7) -> Fact:
    return Fact(f"k:{kind}", kind, ShipmentRef(shipment_id, "dhl", "1"), T0, "t", "b")


def test_routes_pick_targets_by_kind_and_watchers_hear_everything_of_their_shipment() -> None:
    config = NotifySettings.from_config(
        {
            "notify": {
                "urls": [ALL],
                "quiet_hours": "22:00-07:00",
                "route": [{"kinds": ["delivered", "claim_deadline"], "urls": [MAIL, ALL], "digest": "08:00"}],
            }
        }
    )
    delivered = config.deliveries(fact(FactKind.DELIVERED), watchers=["json://localhost/w", ALL])
    assert [d.url for d in delivered] == [ALL, MAIL, "json://localhost/w"]
    # The catch-all route reached ALL first: its timing (quiet hours, no digest) wins.
    assert [d.timing.digest for d in delivered] == [None, time(8), None]
    assert delivered[1].timing.quiet_hours == QuietHours.parse("22:00-07:00")  # inherited
    assert [d.url for d in config.deliveries(fact(FactKind.ANOMALY_OPENED))] == [ALL]
    assert config.url_for(target_key(MAIL)) == MAIL
    assert config.url_for(target_key("json://gone/x")) is None


@given(
    st.lists(st.sampled_from([ALL, MAIL, "json://a/b", "tgram://1:AB/2"]), max_size=4),
    st.lists(
        st.tuples(
            st.sets(st.sampled_from(list(FactKind)), min_size=1),
            st.lists(st.sampled_from([ALL, MAIL, "json://c/d"]), min_size=1, max_size=3),
        ),
        max_size=3,
    ),
    st.sampled_from(list(FactKind)),
    st.lists(st.sampled_from(["json://w/1", ALL]), max_size=2),
)
def test_a_fact_reaches_every_target_meant_for_it_once(
    urls: list[str], routes: list[tuple[set[FactKind], list[str]]], kind: FactKind, watchers: list[str]
) -> None:
    config = NotifySettings.from_config(
        {"notify": {"urls": urls, "route": [{"kinds": sorted(k), "urls": u} for k, u in routes]}}
    )
    got = [d.url for d in config.deliveries(fact(kind), watchers)]
    meant = set(urls) | {u for kinds, us in routes if kind in kinds for u in us} | set(watchers)
    assert sorted(got) == sorted(meant)


def test_the_plain_list_form_and_urls_from_the_environment() -> None:
    config = NotifySettings.from_config({"notify": [ALL]}, ["json://env/x"])
    assert config.urls == (ALL, "json://env/x")
    assert [d.url for d in config.deliveries(fact(FactKind.DUTIES_DUE))] == [ALL, "json://env/x"]
    assert NotifySettings.from_config({}).urls == ()


@pytest.mark.parametrize(
    ("notify", "message"),
    [
        ({"urls": "ntfy://x/y"}, "urls must be a list"),
        ({"urls": ["not a url"]}, "urls must be a list"),
        ({"route": [{"kinds": ["parcel_eaten"], "urls": [MAIL]}]}, "unknown kind"),
        ({"route": [{"urls": [MAIL]}]}, "kinds must be a list"),
        ({"route": [{"kinds": ["delivered"], "urls": [MAIL], "digest": "8am"}]}, "digest must look like"),
        ({"quiet_hours": "all night"}, "quiet_hours must look like"),
        ({"time_zone": "Mars/Olympus"}, "unknown zone"),
        ({"deadline_days": -3}, "deadline_days"),
        ({"url": [MAIL]}, "unknown setting"),
    ],
)
def test_bad_settings_are_explained_without_showing_a_secret(notify: dict[str, object], message: str) -> None:
    with pytest.raises(NotifyConfigError, match=message) as raised:
        NotifySettings.from_config({"notify": notify})
    assert "app-password" not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "secret", "shown"),
    [
        (MAIL, "app-password", "mailtos://me:****@gmail.com/"),
        (
            "json://user:hunter22@127.0.0.1:8080/hook?token=abc123",
            "hunter22",
            "json://user:****@127.0.0.1:8080/hook",
        ),
        ("tgram://123456789:AAHsecretTOKENvalue/987654", "AAHsecretTOKENvalue", "tgram://1...e/987654/"),
        ("ntfy://user:s3cret@ntfy.example.com/topic", "s3cret", "ntfy://user:****@ntfy.example.com/topic"),
        ("nosuchscheme://user:pw-xyz@host/path", "pw-xyz", "nosuchscheme://host/…"),
    ],
)
def test_urls_are_shown_redacted(url: str, secret: str, shown: str) -> None:
    redacted = redact(url)
    assert secret not in redacted and "abc123" not in redacted
    assert redacted == shown


def test_deadline_days_default_and_order() -> None:
    assert NotifySettings.from_config({}).deadline_days == (3,)
    assert NotifySettings.from_config({"notify": {"deadline_days": [1, 7]}}).deadline_days == (7, 1)


def test_a_services_error_message_loses_every_secret_part_of_the_url() -> None:
    url = "json://bot:pa55word@hooks.example.com:8443/v1/T0KEN-abc123?key=s3cretkey&x=1"
    text = "Failed to post to hooks.example.com/v1/T0KEN-abc123 as bot:pa55word, key s3cretkey: 403"
    # Parts shorter than four characters ("v1", "bot") stay: replacing them would garble the text.
    assert scrub(text, url) == "Failed to post to hooks.example.com/v1/**** as bot:****, key ****: 403"


@pytest.mark.parametrize(
    ("happened_days_ago", "stored_days_after", "stale"),
    [
        (5, 5, True),  # a new shipment's first poll brings last week's scans: history
        (5, 0, False),  # stored when fresh, found late (no notifier was running): still news
        (1, 1, False),
        (3, 2.5, True),
        (3, 1.5, False),
    ],
)
def test_a_scan_is_history_when_it_was_old_both_when_stored_and_when_found(
    happened_days_ago: float, stored_days_after: float, stale: bool
) -> None:
    now = T0 + timedelta(days=10)
    at = now - timedelta(days=happened_days_ago)
    fact = Fact("k", FactKind.DELIVERED, SHIP, at, "t", "b", stored_at=at + timedelta(days=stored_days_after))
    assert fact.is_stale(now) is stale
    assert not Fact("k", FactKind.ANOMALY_OPENED, SHIP, at, "t", "b").is_stale(at)  # opened when found
