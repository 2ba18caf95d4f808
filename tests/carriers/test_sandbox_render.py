"""Sandbox rendering: each carrier body, read back by that carrier's own parser, gives the journey.

The round trip is the contract: for every carrier, scenario, seed and clock, ``parse(render(...))``
yields one shipment with one event per visible scan, at the scan's instant, with the status the
module's code table promises (equal to the scan's, coarser only where ``COARSER`` documents it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carriers import aftership, dhl, easypost, fedex, seventeentrack, ups, usps
from carriers.base import ParseResult
from carriers.errors import NotFound
from carriers.sandbox import render_17track, render_fedex
from carriers.sandbox.journeys import Journey, Scenario, generate
from carriers.sandbox.render import COARSER, CODES, KEYS, RENDERERS, destination, zone
from carriers.sandbox.render_codes import RETURNED

PARSERS: dict[str, Callable[[bytes], ParseResult]] = {
    "fedex": fedex.parse,
    "ups": ups.parse,
    "dhl": dhl.parse,
    "usps": usps.parse,
    "17track": seventeentrack.parse,
    "aftership": aftership.parse,
    "easypost": easypost.parse,
}
# Not-found answers: HTTP status, and whether the body names the number.
NOT_FOUND = {
    "fedex": (200, True),
    "ups": (200, True),
    "dhl": (404, True),
    "usps": (404, False),
    "17track": (200, True),
    "aftership": (404, False),
    "easypost": (404, False),
}
# The only places where a carrier cannot even say the journey's *status* (not just substatus).
STATUS_COARSER = {("dhl", RETURNED), ("usps", RETURNED), ("easypost", RETURNED)}
START = datetime(2025, 1, 1, tzinfo=UTC)

journeys = st.builds(
    lambda scenario, seed, hours: generate(f"SBX{seed:08d}", scenario, START + timedelta(hours=hours), seed),
    st.sampled_from(list(Scenario)),
    st.integers(0, 10**6),
    st.integers(0, 2 * 365 * 24),  # two years of start times: both DST transitions, every season
)


def clocks(journey: Journey) -> list[datetime]:
    """Before the first scan, at each scan, between scans, and long after the last one."""
    times = [s.occurred_at for s in journey.scans]
    between = [a + (b - a) / 2 for a, b in pairwise(times)]
    return [times[0] - timedelta(minutes=1), *times, *between, times[-1] + timedelta(days=60)]


def representable(slug: str, journey: Journey, eta: datetime) -> bool:
    """UPS prints the estimate as a bare local wall time: in a DST fold or gap it cannot say it exactly."""
    if slug != "ups":
        return True
    local = eta.astimezone(zone(destination(journey))).replace(tzinfo=None)
    return local.replace(tzinfo=zone(destination(journey))).astimezone(UTC) == eta


def test_the_tables_cover_every_scan_a_journey_can_make() -> None:
    made = {
        (s.status, s.substatus)
        for scenario in Scenario
        for seed in range(30)
        for s in generate("SBX1", scenario, START, seed).scans
    }
    assert made == set(KEYS)
    assert all(set(table) == set(KEYS) for table in CODES.values())


def test_only_the_documented_pairs_change_status() -> None:
    assert {pair for pair, parsed in COARSER.items() if parsed[0] is not pair[1][0]} == STATUS_COARSER


@pytest.mark.parametrize("slug", list(RENDERERS))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey=journeys)
def test_render_then_parse_gives_back_the_visible_journey(slug: str, journey: Journey) -> None:
    render, _ = RENDERERS[slug]
    for now in clocks(journey):
        result = PARSERS[slug](render(journey, now))
        assert result.errors == []
        [shipment] = result.shipments
        assert shipment.tracking_number == journey.tracking_number
        visible = journey.visible(now)
        assert len(shipment.events) == len(visible)
        for event, scan in zip(shipment.events, visible, strict=True):
            key = (scan.status, scan.substatus)
            assert event.occurred_at == scan.occurred_at  # scans are whole minutes: USPS loses nothing
            assert (event.status, event.substatus) == CODES[slug][key].parsed
            if (slug, key) not in STATUS_COARSER:
                assert event.status is scan.status
            if (slug, key) not in COARSER:
                assert event.substatus == scan.substatus
        eta = journey.estimate(now)
        if eta is None or representable(slug, journey, eta):
            assert shipment.estimated_delivery == eta


@pytest.mark.parametrize("slug", list(RENDERERS))
def test_not_found_bodies_parse_to_not_found_for_the_number(slug: str) -> None:
    _, not_found = RENDERERS[slug]
    status, body = not_found("SBX404")
    expected_status, echoes = NOT_FOUND[slug]
    result = PARSERS[slug](body)
    assert status == expected_status
    assert result.shipments == []
    [error] = result.errors
    assert isinstance(error, NotFound)
    assert error.tracking_number == ("SBX404" if echoes else None)


@pytest.mark.parametrize(
    ("render_many", "parse"),
    [
        (render_fedex.render_fedex_many, fedex.parse),
        (render_17track.render_17track_many, seventeentrack.parse),
    ],
)
def test_batching_apis_answer_several_numbers_and_the_missing_ones(
    render_many: Callable[..., bytes], parse: Callable[[bytes], ParseResult]
) -> None:
    first = generate("SBX1", Scenario.ON_TIME, START, 1)
    second = generate("SBX2", Scenario.RETURNED, START, 2)
    now = START + timedelta(days=3)
    result = parse(render_many([first, second], now, ["SBX404"]))
    assert [s.tracking_number for s in result.shipments] == ["SBX1", "SBX2"]
    assert [len(s.events) for s in result.shipments] == [len(first.visible(now)), len(second.visible(now))]
    [error] = result.errors
    assert isinstance(error, NotFound)
    assert error.tracking_number == "SBX404"
