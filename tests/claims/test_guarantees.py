"""When a money-back guarantee is in force: the suspensions as data, at their boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.model import Incident, Party
from claims.policies import guarantees, policy
from claims.policies.guarantees import GuaranteeHistory, GuaranteeState, StateChange, in_force, state_on
from claims.policies.registry import ALL_POLICIES

SUSPENDED_ON = date(2020, 3, 24)
UPS_BACK_ON = date(2021, 4, 5)
days_ever = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@pytest.mark.parametrize(
    ("shipped", "state"),
    [
        (SUSPENDED_ON - timedelta(days=1), GuaranteeState.IN_FORCE),
        (SUSPENDED_ON, GuaranteeState.SUSPENDED),
        (UPS_BACK_ON - timedelta(days=1), GuaranteeState.SUSPENDED),
        (UPS_BACK_ON, GuaranteeState.IN_FORCE),
    ],
)
def test_ups_next_day_air_is_suspended_from_24_march_2020_until_5_april_2021(
    shipped: date, state: GuaranteeState
) -> None:
    assert state_on("ups.gsr", shipped) is state


@given(days_ever)
def test_ups_next_day_air_is_in_force_exactly_outside_the_suspension(shipped: date) -> None:
    assert in_force("ups.gsr", shipped) == (not SUSPENDED_ON <= shipped < UPS_BACK_ON)


def test_ups_ground_never_came_back_for_sure() -> None:
    assert state_on("ups.gsr.ground", SUSPENDED_ON - timedelta(days=1)) is GuaranteeState.IN_FORCE
    assert state_on("ups.gsr.ground", SUSPENDED_ON) is GuaranteeState.SUSPENDED
    assert state_on("ups.gsr.ground", UPS_BACK_ON) is GuaranteeState.UNKNOWN
    assert not in_force("ups.gsr.ground", date(2026, 3, 2))


def test_fedex_money_back_guarantee_is_unknown_from_2020_on() -> None:
    assert in_force("fedex.mbg", date(2019, 12, 31))
    assert state_on("fedex.mbg", date(2020, 1, 1)) is GuaranteeState.UNKNOWN
    assert not in_force("fedex.mbg", date(2026, 3, 2))


@pytest.mark.parametrize(
    ("shipped", "transit_days", "state"),
    [
        (date(2025, 12, 21), 1, GuaranteeState.IN_FORCE),
        (date(2025, 12, 22), 2, GuaranteeState.SUSPENDED),
        (date(2025, 12, 25), 0, GuaranteeState.SUSPENDED),
        (date(2025, 12, 23), 3, GuaranteeState.IN_FORCE),  # took longer than two days
        (date(2025, 12, 24), None, GuaranteeState.UNKNOWN),
        (date(2025, 12, 26), 1, GuaranteeState.IN_FORCE),
    ],
)
def test_usps_express_gives_no_refund_for_christmas_mailings_delivered_within_two_days(
    shipped: date, transit_days: int | None, state: GuaranteeState
) -> None:
    assert state_on("usps.domestic.pme.delay", shipped, transit_days) is state


@given(days_ever, st.integers(min_value=0, max_value=2))
def test_the_christmas_exception_recurs_every_year(shipped: date, transit_days: int) -> None:
    christmas = (12, 22) <= (shipped.month, shipped.day) <= (12, 25)
    assert in_force("usps.domestic.pme.delay", shipped, transit_days) == (not christmas)


@given(days_ever)
def test_guarantees_without_a_recorded_suspension_are_always_in_force(shipped: date) -> None:
    assert in_force("canadapost.guarantee", shipped)
    assert in_force("dhl_express.us.delay", shipped)


def test_a_policy_that_is_no_guarantee_is_never_in_force() -> None:
    assert not guarantees.is_guarantee("ups.us")
    assert not in_force("ups.us", date(2026, 3, 2))
    with pytest.raises(KeyError):
        state_on("ups.us", date(2026, 3, 2))


def test_every_charge_refund_for_delay_has_a_history_and_every_history_a_policy() -> None:
    refunds = {
        p.id
        for p in ALL_POLICIES
        if p.party is Party.CARRIER and p.cap.refund_of_charges and Incident.DELAY in p.incidents
    }
    assert set(guarantees.HISTORIES) == refunds
    for policy_id in guarantees.HISTORIES:
        assert policy(policy_id).cap.refund_of_charges
    for history in guarantees.HISTORIES.values():
        assert all(change.source for change in history.changes)


def test_changes_out_of_order_are_refused() -> None:
    later = StateChange(date(2021, 1, 1), GuaranteeState.IN_FORCE, "[x]")
    earlier = StateChange(date(2020, 1, 1), GuaranteeState.SUSPENDED, "[x]")
    with pytest.raises(ValueError, match="date order"):
        GuaranteeHistory("test", (later, earlier))


def test_the_policies_state_their_suspensions_from_the_data() -> None:
    assert policy("ups.gsr").conditions == (
        "Only the payer may ask [4].",
        "Suspended from 24 Mar 2020: UPS suspended the GSR for all services [5].",
        "In force again from 5 Apr 2021: back for the Next Day Air and Worldwide Express families only [5].",
    )
    assert policy("ups.gsr.ground").conditions[2].startswith("Not known to be in force from 5 Apr 2021")
    assert any(
        c.startswith("Not known to be in force from 1 Jan 2020") for c in policy("fedex.mbg").conditions
    )
    assert policy("usps.domestic.pme.delay").conditions == (
        "No refund for items shipped 22–25 Dec and delivered within 2 days [18].",
    )
    assert guarantees.describe("canadapost.guarantee") == ()
