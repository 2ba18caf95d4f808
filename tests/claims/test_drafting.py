"""Drafts in English and Simplified Chinese: what a user relies on before sending a claim —
to whom, how much and why, by when, what is still missing, where to escalate, and whether
the rule may be trusted. Expected figures are worked out by hand from claims-rules.md."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from claims.drafting import Drafted, Situation, draft_claims
from claims.model import Anomaly, AnomalyKind, Claimant, ClaimFacts, Incident, Party, PaymentMethod
from claims.rendering import render
from claims.sdr import bundled_rates
from parcel_watch.model import Money, Shipment, TrackingEvent
from parcel_watch.status import Status

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def money(amount: str, currency: str) -> Money:
    return Money(amount=Decimal(amount), currency=currency)


US_UPS = Shipment(
    id=1,
    tracking_number="1Z5R89390357567127",
    carrier="ups",
    origin_country="US",
    destination_country="US",
    ship_date=date(2026, 3, 2),
    promised_delivery=date(2026, 3, 6),
    status=Status.IN_TRANSIT,
)
US_BUYER = ClaimFacts(
    item_value=money("120.00", "USD"),
    shipping_cost=money("12.50", "USD"),
    payment_method=PaymentMethod.CARD,
    seller="Gadget Store",
    time_zone="America/Chicago",
    documents_on_hand=frozenset({"invoice", "tracking"}),
)
DE_CN_DHL = Shipment(
    id=2,
    tracking_number="1234567890",
    carrier="dhl",
    service="EXPRESS WORLDWIDE",
    origin_country="DE",
    destination_country="CN",
    ship_date=date(2026, 3, 2),
    promised_delivery=date(2026, 3, 5),
    weight_kg=2.0,
    status=Status.IN_TRANSIT,
)
DE_MERCHANT = ClaimFacts(role=Claimant.SHIPPER, item_value=money("300.00", "EUR"), time_zone="Europe/Berlin")
CN_POST = Shipment(
    id=3,
    tracking_number="RB123456785CN",
    carrier="s10",
    origin_country="CN",
    destination_country="CN",
    ship_date=date(2026, 3, 2),
    status=Status.IN_TRANSIT,
)
CN_BUYER = ClaimFacts(
    item_value=money("199.00", "CNY"),
    shipping_cost=money("12.00", "CNY"),
    seller="深圳华强电子商行",
    payment_method=PaymentMethod.ALIPAY,
    time_zone="Asia/Shanghai",
    language="zh",
)


def drafts(
    shipment: Shipment,
    facts: ClaimFacts,
    kind: AnomalyKind = AnomalyKind.LOST,
    *,
    now: datetime = NOW,
    events: tuple[TrackingEvent, ...] = (),
) -> dict[str, Drafted]:
    anomaly = Anomaly(kind=kind, shipment_id=shipment.id or 0, since=SINCE)
    found = draft_claims(anomaly, Situation(shipment, events, facts, now, bundled_rates()))
    return {d.draft.policy.id: d for d in found}


def text(drafted: Drafted, language: str, *, markdown: bool = False) -> str:
    return render(drafted.document, language=language, markdown=markdown)


def test_a_lost_us_parcel_is_claimed_from_the_carrier_the_seller_and_the_card_issuer() -> None:
    found = drafts(US_UPS, US_BUYER)
    assert {(d.draft.respondent, d.draft.incident) for d in found.values()} == {
        (Party.CARRIER, Incident.LOSS),
        (Party.CARD_ISSUER, Incident.LOSS),
        (Party.SELLER, Incident.NON_DELIVERY),
    }
    ups = found["ups.us"].draft
    # min(120.00 proven, 100.00 included cover without declared value)
    assert ups.amount is not None and ups.amount.claimed == money("100.00", "USD")
    # Notice within 60 days of the scheduled delivery (6 Mar): 5 May; the 9-month claim runs longer.
    assert ups.deadline is not None and (ups.deadline.earliest, ups.deadline.latest) == (
        date(2026, 3, 6),
        date(2026, 5, 5),
    )
    assert ups.auto_file and ups.warnings == ()


def test_the_english_carrier_letter_states_amount_deadline_missing_documents_and_escalation() -> None:
    letter = text(drafts(US_UPS, US_BUYER)["ups.us"], "en")
    assert "Subject: Claim for a lost shipment, tracking number 1Z5R89390357567127" in letter
    assert "Dear UPS," in letter
    assert "I claim 100.00 USD." in letter
    assert "- The smallest of 120.00 USD, 100.00 USD: 100.00 USD." in letter
    assert "File between 2026-03-06 and 2026-05-05 (America/Chicago): 46 days left." in letter
    missing = letter.split("Still missing:", 1)[1].split("On hand:", 1)[0]
    assert "- photos (item, inner packing, box sides, label)" in missing
    assert "- item details (brand, model, serial number, quantity, price)" in missing
    assert "invoice" not in missing and "tracking number" not in missing  # the user has those
    assert "I enclose: invoice or receipt (proof of value), tracking number and scan history." in letter
    assert "If UPS does not answer in time or refuses: the FTC (reportfraud.ftc.gov)" in letter
    assert "UNVERIFIED" not in letter


def test_the_chinese_carrier_letter_states_the_same_facts_in_chinese() -> None:
    letter = text(drafts(US_UPS, US_BUYER)["ups.us"], "zh")
    assert "主题：货件丢失索赔，运单号 1Z5R89390357567127" in letter
    assert "本人要求赔偿 100.00 USD。" in letter
    assert "请在 2026-03-06 至 2026-05-05（America/Chicago）之间提交，还剩 46 天。" in letter
    missing = letter.split("尚缺材料：", 1)[1].split("已有材料：", 1)[0]
    assert "- 照片（物品、内包装、外箱各面、面单）" in missing
    assert "发票" not in missing
    assert "如UPS未按时答复或拒绝：the FTC (reportfraud.ftc.gov)" in letter
    assert "此致\n敬礼" in letter
    assert "- 付款方式： 银行卡" in letter and "- 索赔类型： 丢失" in letter


def test_the_consumer_asks_the_seller_to_deliver_or_refund_under_consumer_law() -> None:
    found = drafts(US_UPS, US_BUYER)
    seller = found["us.ftc.435"]
    # The price paid comes back, with the postage: 120.00 + 12.50.
    assert seller.draft.amount is not None and seller.draft.amount.claimed == money("132.50", "USD")
    en, zh = text(seller, "en"), text(seller, "zh")
    assert "Dear Gadget Store," in en
    assert "deliver the goods within 14 days of this letter" in en and "full refund of 132.50 USD" in en
    assert "If Gadget Store does not answer in time or refuses: FTC: reportfraud.ftc.gov." in en
    assert "尊敬的Gadget Store：" in zh and "全额退款（132.50 USD）" in zh


def test_an_unverified_rule_is_never_auto_filed_and_both_languages_say_so() -> None:
    found = drafts(DE_CN_DHL, DE_MERCHANT)
    dhl = found["dhl_express"]
    assert not dhl.draft.policy.verified
    assert dhl.draft.auto_file is False and "unverified_rule" in dhl.draft.warnings
    # 19 SDR/kg x 2 kg = 38 SDR x 1.1691 EUR (IMF, 6 Jan 2026) = 44.4258, rounded down.
    assert dhl.draft.amount is not None and dhl.draft.amount.claimed == money("44.42", "EUR")
    # Written claim within 30 days of DHL's acceptance (2 Mar): 1 Apr.
    assert dhl.draft.deadline is not None and dhl.draft.deadline.latest == date(2026, 4, 1)
    en, zh = text(dhl, "en", markdown=True), text(dhl, "zh", markdown=True)
    assert "> **UNVERIFIED RULE:" in en and "It must not be filed automatically." in en
    assert "【未经核实的规则】" in zh and "不得自动提交" in zh
    montreal = found["montreal"]  # the convention for international air applies as well
    assert montreal.draft.auto_file and "UNVERIFIED" not in text(montreal, "en")


def test_a_merchant_gets_only_the_claims_against_the_carrier_without_consumer_channels() -> None:
    found = drafts(DE_CN_DHL, DE_MERCHANT)
    assert {d.draft.respondent for d in found.values()} == {Party.CARRIER}
    assert all(d.draft.escalation is None for d in found.values())
    assert "No complaint channel is recorded for this rule." in text(found["montreal"], "en")


def test_a_chinese_buyer_claims_from_the_seller_who_bears_the_transit_risk_escalating_to_12315() -> None:
    found = drafts(CN_POST, CN_BUYER)
    seller = found["cn.ecl.art20"]
    # Price and postage back: 199.00 + 12.00.
    assert seller.draft.amount is not None and seller.draft.amount.claimed == money("211.00", "CNY")
    zh = text(seller, "zh")
    assert "尊敬的深圳华强电子商行：" in zh
    assert "运输风险由作为卖家的贵方承担" in zh
    assert "本人要求赔偿 211.00 CNY。" in zh
    assert "如深圳华强电子商行未按时答复或拒绝：12315 (market regulator, 全国12315平台)" in zh
    # The postal claim is the sender's: 3 x postage (36.00 CNY), forwarded to the seller.
    post = found["chinapost"]
    assert post.draft.amount is not None and post.draft.amount.claimed == money("36.00", "CNY")
    assert post.draft.warnings == ("shipper_files",) and not post.draft.auto_file
    assert "此索赔只能由寄件人提出：请将其转交卖家" in text(post, "zh")
    assert "Only the shipper can file this claim" in text(post, "en")


def test_a_claim_whose_window_has_passed_says_it_can_no_longer_be_filed() -> None:
    later = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # after 1 Apr: DHL's 30 days are over
    dhl = drafts(DE_CN_DHL, DE_MERCHANT, now=later)["dhl_express"]
    assert "window_closed" in dhl.draft.warnings and not dhl.draft.auto_file
    en, zh = text(dhl, "en"), text(dhl, "zh")
    assert "The filing window closed on 2026-04-01 (Europe/Berlin): this claim can no longer be filed." in en
    assert "!! THE FILING WINDOW HAS CLOSED" in en
    assert "提交期限已于 2026-04-01（Europe/Berlin）届满：此索赔已无法提交。" in zh


def test_documents_on_hand_leave_nothing_missing_and_the_amount_says_what_is_unknown() -> None:
    complete = replace(
        US_BUYER,
        documents_on_hand=frozenset({"invoice", "tracking", "item_details", "photos", "packaging_kept"}),
    )
    ups = drafts(US_UPS, complete)["ups.us"]
    assert ups.draft.documents_missing == ()
    assert "Nothing missing: you have every document the rule asks for." in text(ups, "en")
    assert "材料齐全" in text(ups, "zh")
    no_value = drafts(US_UPS, replace(US_BUYER, item_value=None))["ups.us"]
    assert no_value.draft.amount is None and "amount_unknown" in no_value.draft.warnings
    assert "The amount cannot be computed yet: give the item's value" in text(no_value, "en")


def test_a_delivered_parcel_gives_no_non_delivery_claim_and_a_stall_alone_gives_none() -> None:
    delivered = US_UPS.model_copy(update={"status": Status.DELIVERED})
    found = drafts(delivered, US_BUYER, AnomalyKind.DAMAGED)
    assert {d.draft.incident for d in found.values()} == {Incident.DAMAGE}
    assert drafts(US_UPS, US_BUYER, AnomalyKind.STALLED) == {}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_terminal_escapes_in_user_text_never_reach_the_draft(language: str) -> None:
    facts = replace(US_BUYER, seller="Gadget\x1b]0;pwned\x07 Store\x1b[2J\u202e")
    letter = text(drafts(US_UPS, facts)["us.ftc.435"], language)
    assert "\x1b" not in letter and "\x07" not in letter and "\u202e" not in letter
    assert "Gadget Store" in letter
