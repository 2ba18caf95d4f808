"""Sandbox journeys: reproducible, chronological, and each scenario ends as it should."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carriers.sandbox.journeys import Scenario, generate
from parcel_watch.status import Status
from parcel_watch.timeline import ShipmentState, advance

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FINAL = {
    Scenario.ON_TIME: (Status.DELIVERED, "delivered.left_safe_place"),
    Scenario.LATE: (Status.DELIVERED, "delivered.left_safe_place"),
    Scenario.STALLED_LOST: (Status.EXCEPTION, "exception.lost"),
    Scenario.DAMAGED: (Status.DELIVERED, "delivered.left_safe_place"),
    Scenario.CUSTOMS_HOLD: (Status.DELIVERED, "delivered.left_safe_place"),
    Scenario.FAILED_ATTEMPTS: (Status.DELIVERED, "delivered.left_safe_place"),
    Scenario.RETURNED: (Status.RETURNED, "returned.to_sender"),
    Scenario.PICKUP_POINT: (Status.DELIVERED, "delivered.pickup_point"),
}


@pytest.mark.parametrize("scenario", list(Scenario))
def test_each_scenario_ends_in_its_state(scenario: Scenario) -> None:
    journey = generate("SBX0001", scenario, START, seed=1)
    state = advance(ShipmentState(), journey.scans)
    assert (state.status, state.substatus) == FINAL[scenario]


def test_the_stalled_parcel_goes_silent_for_weeks_before_it_is_declared_lost() -> None:
    scans = generate("SBX0002", Scenario.STALLED_LOST, START, seed=3).scans
    assert scans[-1].occurred_at - scans[-2].occurred_at > timedelta(days=20)


def test_late_and_held_parcels_revise_their_estimate_past_the_promise() -> None:
    for scenario in (Scenario.LATE, Scenario.CUSTOMS_HOLD):
        journey = generate("SBX0003", scenario, START, seed=5)
        assert len(journey.estimates) == 2 and journey.estimates[1][1] > journey.estimates[0][1]
        assert journey.scans[-1].occurred_at > journey.promised or scenario is Scenario.CUSTOMS_HOLD


@given(st.text(min_size=1, max_size=12), st.sampled_from(list(Scenario)), st.integers(0, 10**6))
def test_journeys_are_reproducible_and_chronological(number: str, scenario: Scenario, seed: int) -> None:
    a, b = generate(number, scenario, START, seed), generate(number, scenario, START, seed)
    assert a == b
    times = [s.occurred_at for s in a.scans]
    assert times == sorted(times) and times[0] >= START - timedelta(minutes=1)
    assert a.visible(START - timedelta(days=1)) == ()
    assert a.visible(times[-1]) == a.scans


@given(st.integers(0, 10**6))
def test_on_time_parcels_arrive_before_the_promise_and_late_ones_after(seed: int) -> None:
    on_time = generate("SBX0004", Scenario.ON_TIME, START, seed)
    late = generate("SBX0004", Scenario.LATE, START, seed)
    assert on_time.scans[-1].occurred_at <= on_time.promised < late.scans[-1].occurred_at
