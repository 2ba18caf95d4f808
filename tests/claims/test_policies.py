"""Policies as data (numbers exactly as claims-rules.md gives them) and the registry."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from claims.model import (
    Anchor,
    AnomalyKind,
    Claimant,
    DayCount,
    Document,
    Incident,
    Party,
    PaymentMethod,
    Policy,
    TransportMode,
    Window,
)
from claims.policies import ALL_POLICIES, UnknownPolicy, incidents_for, operator, policies_for, policy
from claims.policies.registry import INCIDENTS_BY_ANOMALY
from parcel_watch.model import Money

LOSS, DAMAGE, DELAY = Incident.LOSS, Incident.DAMAGE, Incident.DELAY
NON_DELIVERY, REFUND = Incident.NON_DELIVERY, Incident.REFUND


def windows(policy_id: str, incident: Incident) -> list[Window]:
    return [w for w in policy(policy_id).windows if not w.incidents or incident in w.incidents]


def ids(carrier: str | None, incident: Incident, **query: object) -> list[str]:
    return [p.id for p in policies_for(carrier, incident, **query)]  # type: ignore[arg-type]


# -- the data -----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ALL_POLICIES, ids=[p.id for p in ALL_POLICIES])
def test_every_policy_is_complete_and_cites_its_source(rule: Policy) -> None:
    assert rule.name and rule.remedy and rule.legal_basis and rule.documents
    assert re.match(r"\[\d+\] ", rule.source), rule.source
    assert date(2022, 1, 1) <= rule.verified_on <= date(2026, 1, 6)
    assert all(isinstance(d, Document) for d in rule.documents)
    for window in (*rule.windows, *((rule.duty,) if rule.duty else ())):
        assert window.incidents <= rule.incidents
        assert window.earliest <= window.latest or window.months or window.earliest_anchor
    for part in (rule.cap.per_package, rule.cap.declared_value_max, rule.cap.per_kg):
        assert part is None or isinstance(part, Money)
    if rule.party in (Party.SELLER, Party.PLATFORM):
        assert rule.claimant is Claimant.RECIPIENT and rule.countries and rule.complaint_channel
    if rule.party in (Party.CARD_ISSUER, Party.PAYPAL):
        assert rule.payment_methods


def test_policy_ids_are_unique_and_looked_up() -> None:
    assert len({p.id for p in ALL_POLICIES}) == len(ALL_POLICIES)
    assert policy("montreal").legal_basis.startswith("Montreal Convention")
    with pytest.raises(UnknownPolicy):
        policy("pony-express")


def test_only_the_rows_marked_unverified_are_unverified() -> None:
    unverified = {p.id for p in ALL_POLICIES if not p.verified}
    assert unverified == {
        "ups.gsr.ground",  # "Ground ?"
        "usps.intl",  # "IMM ch. 9 ?"
        "usps.intl.gxg",
        "usps.intl.pmei",
        "dhl_express",  # "current version ?"
        "dhl_express.road",
        "dhl_express.cn",
        "chinapost.ems.intl",  # "EMS intl old terms ... ?"
    }


def test_sources_with_a_date_of_their_own_carry_it() -> None:
    assert policy("montreal").verified_on == date(2024, 11, 1)  # [49] forwarderlaw.com 2024/11/01
    assert policy("usps.domestic.pme.delay").verified_on == date(
        2022, 12, 15
    )  # [18] link.usps.com 2022/12/15
    assert policy("ups.us").verified_on == date(2026, 1, 6)


def test_usps_insured_loss_from_15_to_60_days_after_mailing() -> None:
    (loss,) = windows("usps.domestic", LOSS)
    assert (loss.anchor, loss.earliest, loss.latest) == (Anchor.SHIP_DATE, 15, 60)
    (pme,) = windows("usps.domestic.pme", LOSS)
    assert (pme.earliest, pme.latest) == (7, 60)
    (damage,) = windows("usps.domestic", DAMAGE)
    assert (damage.earliest, damage.latest) == (0, 60)
    assert LOSS in policy("usps.domestic").cap.postage_refunded_on


def test_fedex_non_delivery_nine_months_after_tender_and_damage_sixty_days_after_delivery() -> None:
    (loss,) = windows("fedex.us", LOSS)
    assert (loss.anchor, loss.months, loss.latest) == (Anchor.SHIP_DATE, 9, 0)
    (damage,) = windows("fedex.us", DAMAGE)
    assert (damage.anchor, damage.latest) == (Anchor.DELIVERY, 60)
    (international,) = windows("fedex.intl", DAMAGE)
    assert international.latest == 21
    assert policy("fedex.intl").cap.per_kg == Money(amount=Decimal(20), currency="USD")


def test_royal_mail_loss_from_ten_working_days_after_due_date_to_eighty_days_after_posting() -> None:
    (loss,) = windows("royalmail.inland", LOSS)
    assert (loss.earliest_anchor, loss.earliest, loss.earliest_days) == (
        Anchor.SCHEDULED_DELIVERY,
        10,
        DayCount.WORKING,
    )
    assert (loss.anchor, loss.latest, loss.days) == (Anchor.SHIP_DATE, 80, DayCount.CALENDAR)
    assert policy("royalmail.inland").holiday_country == "GB-ENG"


def test_cmr_hidden_damage_notice_skips_sundays_and_holidays() -> None:
    hidden = next(w for w in windows("cmr", DAMAGE) if "hidden" in w.name)
    assert (hidden.latest, hidden.days) == (7, DayCount.EXCLUDING_SUNDAYS)
    assert policy("cmr").cap.sdr_per_kg == Decimal("8.33")
    assert policy("cmr.delay").cap.freight_multiple == 1


def test_dhl_paket_delay_notice_21_days_and_hidden_damage_7() -> None:
    (delay,) = windows("dhl_paket.delay", DELAY)
    assert (delay.anchor, delay.latest) == (Anchor.DELIVERY, 21)
    assert [w.latest for w in windows("dhl_paket", DAMAGE)] == [0, 7, 0]
    assert policy("dhl_paket").cap.per_package == Money(amount=Decimal(500), currency="EUR")


@pytest.mark.parametrize(
    ("policy_id", "field", "value"),
    [
        ("montreal", "sdr_per_kg", Decimal(26)),
        ("dhl_express", "sdr_per_kg", Decimal(19)),
        ("dhl_express.road", "sdr_per_kg", Decimal("8.33")),
        ("upu.registered", "sdr_per_item", Decimal(30)),
        ("upu.parcel", "sdr_per_item", Decimal(40)),
        ("upu.parcel", "sdr_per_kg", Decimal("4.50")),
        ("sfexpress", "freight_multiple", Decimal(7)),
        ("chinapost", "freight_multiple", Decimal(3)),
        ("ups.us", "per_package", Money(amount=Decimal(100), currency="USD")),
        ("canadapost", "per_package", Money(amount=Decimal(100), currency="CAD")),
        ("royalmail.inland", "per_package", Money(amount=Decimal(20), currency="GBP")),
        ("royalmail.signed_for", "per_package", Money(amount=Decimal(50), currency="GBP")),
        ("royalmail.special_delivery", "declared_value_max", Money(amount=Decimal(2500), currency="GBP")),
        ("usps.domestic.registered", "declared_value_max", Money(amount=Decimal(50000), currency="USD")),
        ("sfexpress", "declared_value_max", Money(amount=Decimal(20000), currency="CNY")),
    ],
)
def test_limits_are_the_references_numbers(policy_id: str, field: str, value: object) -> None:
    assert getattr(policy(policy_id).cap, field) == value


@pytest.mark.parametrize(
    ("policy_id", "anchor", "earliest", "latest", "months"),
    [
        ("dhl_express", Anchor.SHIP_DATE, 0, 30, 0),
        ("canadapost", Anchor.SHIP_DATE, 0, 90, 0),
        ("usps.intl", Anchor.SHIP_DATE, 7, 0, 6),
        ("usps.intl.gxg", Anchor.SHIP_DATE, 3, 30, 0),
        ("usps.intl.pmei", Anchor.SHIP_DATE, 3, 90, 0),
        ("usps.domestic.pme.delay", Anchor.SHIP_DATE, 2, 30, 0),
        ("fedex.mbg", Anchor.INVOICE, 0, 15, 0),
        ("upu.parcel", Anchor.SHIP_DATE, 0, 0, 6),
        ("paypal.buyer_protection", Anchor.PURCHASE, 0, 180, 0),
    ],
)
def test_first_windows_are_the_references_numbers(
    policy_id: str, anchor: Anchor, earliest: int, latest: int, months: int
) -> None:
    first = policy(policy_id).windows[0]
    assert (first.anchor, first.earliest, first.latest, first.months) == (anchor, earliest, latest, months)


def test_consumer_periods_and_payment_windows() -> None:
    assert policy("eu.crd.withdrawal").duty == Window(Anchor.RETURN_RECEIVED, latest=14, name="refund")
    assert policy("cn.cpl.art25").duty == Window(Anchor.RETURN_RECEIVED, latest=7, name="refund")
    eu_delivery = policy("eu.crd.art18").duty
    assert eu_delivery is not None and eu_delivery.otherwise is not None
    assert (eu_delivery.otherwise.anchor, eu_delivery.otherwise.latest) == (Anchor.PURCHASE, 30)
    dispute, outer = policy("card.chargeback").windows
    assert (dispute.anchor, dispute.latest, outer.latest) == (Anchor.EXPECTED_DELIVERY, 120, 540)
    assert dispute.otherwise is not None and dispute.otherwise.earliest == 30
    assert policy("paypal.buyer_protection").windows[1].latest == 20
    assert "12315" in (policy("cn.cpl.art25").complaint_channel or "")
    assert "ECC-Net" in (policy("eu.crd.art18").complaint_channel or "")
    assert "Citizens Advice" in (policy("uk.cra.s28").complaint_channel or "")
    assert "reportfraud.ftc.gov" in (policy("us.ftc.435").complaint_channel or "")


# -- the registry ----------------------------------------------------------------------------


def test_a_us_shipper_gets_the_carriers_own_terms() -> None:
    assert ids("ups", LOSS, origin_country="US", destination_country="US", role=Claimant.SHIPPER) == [
        "ups.us"
    ]
    assert ids("ups", LOSS, origin_country="DE", destination_country="DE", role=Claimant.SHIPPER) == [
        "ups.non_us"
    ]


def test_an_international_air_shipment_adds_the_montreal_convention() -> None:
    found = ids("fedex", LOSS, origin_country="US", destination_country="DE", role=Claimant.SHIPPER)
    assert found == ["fedex.intl", "montreal"]


def test_an_eu_consumer_claims_from_the_seller_and_the_card_issuer_not_from_a_payer_only_carrier() -> None:
    found = ids(
        "fedex",
        LOSS,
        origin_country="US",
        destination_country="DE",
        role=Claimant.RECIPIENT,
        payment_method=PaymentMethod.CARD,
    )
    assert "fedex.intl" not in found  # FedEx lets the payer claim
    assert {"eu.crd.art20", "card.chargeback", "montreal"} <= set(found)
    assert "paypal.buyer_protection" not in found


def test_a_buyer_who_chose_the_carrier_bears_the_transport_risk() -> None:
    query = {"origin_country": "DE", "destination_country": "DE", "role": Claimant.RECIPIENT}
    assert "eu.crd.art20" in ids("dhl", LOSS, **query)
    chosen = ids("dhl", LOSS, consumer_chose_carrier=True, payment_method=PaymentMethod.PAYPAL, **query)
    assert "eu.crd.art20" not in chosen
    assert "paypal.buyer_protection" in chosen
    assert "eu.crd.art18" in ids("dhl", DELAY, consumer_chose_carrier=True, **query)  # not a risk rule


def test_consumer_law_follows_the_buyers_country_and_needs_it() -> None:
    assert "uk.cra.s29" in ids("royalmail", LOSS, origin_country="GB", destination_country="GB")
    assert "cn.ecl.art20" in ids("sfexpress", LOSS, destination_country="US", buyer_country="CN")
    assert not [p for p in ids("ups", LOSS) if p.startswith(("eu.", "uk.", "us.", "cn."))]


def test_an_s10_number_is_its_origin_posts_and_goes_under_the_upu() -> None:
    to_france = ids("s10", LOSS, origin_country="GB", destination_country="FR", service="registered")
    assert to_france[:2] == ["royalmail.intl.europe", "upu.registered"]
    to_the_us = ids("s10", LOSS, origin_country="GB", destination_country="US", service="parcel")
    assert to_the_us[:2] == ["royalmail.intl", "upu.parcel"]
    unknown_class = ids("s10", LOSS, origin_country="CN", destination_country="DE")
    assert {"upu.registered", "upu.parcel"} <= set(unknown_class)


def test_the_service_picks_the_variant_and_an_unknown_service_the_basic_one() -> None:
    gb = {"origin_country": "GB", "destination_country": "GB", "role": Claimant.SHIPPER}
    assert ids("royalmail", LOSS, service="Special Delivery Guaranteed by 1pm", **gb) == [
        "royalmail.special_delivery"
    ]
    assert ids("royalmail", LOSS, service="Royal Mail Signed For 1st Class", **gb) == ["royalmail.signed_for"]
    assert ids("royalmail", LOSS, **gb) == ["royalmail.inland"]
    us = {"origin_country": "US", "destination_country": "US", "role": Claimant.SHIPPER}
    assert ids("usps", LOSS, service="Priority Mail Express", **us) == ["usps.domestic.pme"]
    assert ids("usps", LOSS, service="Ground Advantage", **us) == ["usps.domestic"]


def test_a_service_without_cover_gets_no_carrier_rule() -> None:
    ca = {"origin_country": "CA", "destination_country": "CA", "role": Claimant.SHIPPER}
    assert ids("canada_post", LOSS, service="Regular Parcel", **ca) == []
    assert ids("canada_post", LOSS, service="Xpresspost", **ca) == ["canadapost"]


def test_dhl_is_paket_at_home_in_germany_and_express_abroad() -> None:
    assert operator("dhl", origin_country="DE", destination_country="DE") == "dhl_paket"
    assert operator("dhl", origin_country="US", destination_country="DE") == "dhl_express"
    assert operator(
        "dhl", origin_country="DE", destination_country="AT", service="DHL Paket International"
    ) == ("dhl_paket")
    shipper_de = {"origin_country": "DE", "destination_country": "DE", "role": Claimant.SHIPPER}
    assert ids("dhl", LOSS, service="Päckchen", **shipper_de) == ["dhl_paket.paeckchen"]
    assert ids("dhl", LOSS, origin_country="US", destination_country="DE", role=Claimant.SHIPPER) == [
        "dhl_express",
        "montreal",
    ]


def test_road_shipments_go_under_cmr_and_mode_can_be_given() -> None:
    assert ids("dpd", LOSS, origin_country="DE", destination_country="FR") == ["cmr", "eu.crd.art20"]
    assert ids(None, DELAY, international=True, mode=TransportMode.ROAD) == ["cmr.delay"]
    assert ids("dpd", LOSS, origin_country="DE", destination_country="DE") == ["eu.crd.art20"]


def test_refunds_and_guarantees() -> None:
    assert ids(None, REFUND, buyer_country="FR") == ["eu.crd.withdrawal"]
    assert ids(None, REFUND, buyer_country="CN") == ["cn.cpl.art25"]
    assert ids("ups", DELAY, origin_country="US", destination_country="US", service="UPS Next Day Air") == [
        "ups.gsr",
        "us.ftc.435",
    ]


def test_every_anomaly_kind_maps_to_its_incidents() -> None:
    assert set(INCIDENTS_BY_ANOMALY) == set(AnomalyKind)
    assert incidents_for(AnomalyKind.LATE) == (DELAY, NON_DELIVERY)
    assert incidents_for(AnomalyKind.DELIVERED_LATE) == (DELAY,)
    assert incidents_for(AnomalyKind.LOST) == (LOSS, NON_DELIVERY)
    assert incidents_for(AnomalyKind.DAMAGED) == (DAMAGE,)
    assert incidents_for(AnomalyKind.REFUND_OVERDUE) == (REFUND,)
    assert incidents_for(AnomalyKind.STALLED) == ()
