"""What the user told about a shipment for its claims (:class:`ClaimFacts`), kept per shipment.

Tracking says what happened; a claim also needs what the goods cost, who paid how, from
which seller, and which documents the user holds. Those facts are stored as one JSON
document per shipment (``claim_facts``), so a new optional fact needs no migration.
Reading is tolerant (an unknown key is ignored, a missing one takes its default); writing
validates, so nothing is stored that could not be read back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Executable, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from claims.model import Claimant, ClaimFacts, PaymentMethod
from parcel_watch.model import Money
from parcel_watch.store import Store
from parcel_watch.store.schema import claim_facts
from parcel_watch.textsafe import clean

LANGUAGES = ("en", "zh")
_COUNTRY = re.compile(r"[A-Z]{2}")
_DOCUMENT = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
_MAX_NAME = 200


class FactsError(ValueError):
    """A fact the user gave cannot be stored as it is (the message says which and why)."""


def document_codes(raw: Iterable[str]) -> frozenset[str]:
    """Document codes as the policies name them: lowercase, ``-``/spaces as ``_``."""
    codes = set()
    for item in raw:
        code = item.strip().lower().replace("-", "_").replace(" ", "_")
        if not code:
            continue
        if not _DOCUMENT.fullmatch(code):
            raise FactsError(f"document {item!r}: use a short code such as invoice, photos, receipt")
        codes.add(code)
    return frozenset(codes)


def checked(facts: ClaimFacts) -> ClaimFacts:
    """``facts`` validated (raises FactsError), with free text cleaned of control characters."""
    try:
        ZoneInfo(facts.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise FactsError(f"time zone {facts.time_zone!r} is not an IANA zone such as Europe/Berlin") from None
    if facts.language not in LANGUAGES:
        raise FactsError(f"language {facts.language!r}: one of {', '.join(LANGUAGES)}")
    country = facts.buyer_country.strip().upper() if facts.buyer_country else None
    if country is not None and not _COUNTRY.fullmatch(country):
        raise FactsError(f"country {facts.buyer_country!r} is not an ISO 3166 alpha-2 code")
    if facts.weight_kg is not None and facts.weight_kg <= 0:
        raise FactsError("the weight must be more than 0 kg")
    return replace(
        facts,
        buyer_country=country,
        seller=_name(facts.seller),
        platform=_name(facts.platform),
        documents_on_hand=document_codes(facts.documents_on_hand),
    )


def _name(value: str | None) -> str | None:
    text = clean(value).strip()[:_MAX_NAME].rstrip() if value else ""  # the cut may end in spaces
    return text or None


# -- JSON ---------------------------------------------------------------------------------


def _money(value: Money | None) -> dict[str, str] | None:
    return None if value is None else {"amount": str(value.amount), "currency": value.currency}


def _read_money(value: Any) -> Money | None:
    if not isinstance(value, Mapping):
        return None
    return Money(amount=Decimal(str(value["amount"])), currency=str(value["currency"]))


def to_json(facts: ClaimFacts) -> dict[str, Any]:
    return {
        "role": facts.role.value,
        "item_value": _money(facts.item_value),
        "shipping_cost": _money(facts.shipping_cost),
        "declared_value": _money(facts.declared_value),
        "insured": facts.insured,
        "weight_kg": None if facts.weight_kg is None else str(facts.weight_kg),
        "purchased_on": None if facts.purchased_on is None else facts.purchased_on.isoformat(),
        "payment_method": None if facts.payment_method is None else facts.payment_method.value,
        "seller": facts.seller,
        "platform": facts.platform,
        "buyer_country": facts.buyer_country,
        "time_zone": facts.time_zone,
        "consumer_chose_carrier": facts.consumer_chose_carrier,
        "language": facts.language,
        "documents_on_hand": sorted(facts.documents_on_hand),
    }


def from_json(data: Mapping[str, Any]) -> ClaimFacts:
    """Facts from their JSON form; raises FactsError on a value that does not parse."""
    try:
        weight = data.get("weight_kg")
        purchased = data.get("purchased_on")
        paid = data.get("payment_method")
        return ClaimFacts(
            role=Claimant(data.get("role", Claimant.RECIPIENT.value)),
            item_value=_read_money(data.get("item_value")),
            shipping_cost=_read_money(data.get("shipping_cost")),
            declared_value=_read_money(data.get("declared_value")),
            insured=bool(data.get("insured", False)),
            weight_kg=None if weight is None else Decimal(str(weight)),
            purchased_on=None if purchased is None else date.fromisoformat(str(purchased)),
            payment_method=None if paid is None else PaymentMethod(paid),
            seller=data.get("seller"),
            platform=data.get("platform"),
            buyer_country=data.get("buyer_country"),
            time_zone=str(data.get("time_zone", "UTC")),
            consumer_chose_carrier=bool(data.get("consumer_chose_carrier", False)),
            language=str(data.get("language", "en")),
            documents_on_hand=frozenset(data.get("documents_on_hand", ())),
        )
    except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
        raise FactsError(f"stored claim facts do not parse: {exc}") from exc


# -- storage ------------------------------------------------------------------------------


async def save(store: Store, shipment_id: int, facts: ClaimFacts, now: datetime) -> ClaimFacts:
    """Store ``facts`` (validated) as the shipment's facts, replacing earlier ones."""
    facts = checked(facts)
    row = {
        "shipment_id": shipment_id,
        "facts": json.dumps(to_json(facts), ensure_ascii=False, sort_keys=True),
        "updated_at": now,
    }
    async with store.writing() as conn:
        await conn.execute(_upsert(conn.dialect.name, row))
    return facts


def _upsert(dialect: str, row: dict[str, Any]) -> Executable:
    # One statement, so two writers cannot both find no row and lose one write.
    if dialect == "sqlite":
        lite = sqlite_insert(claim_facts).values(row)
        return lite.on_conflict_do_update(
            index_elements=[claim_facts.c.shipment_id],
            set_={"facts": lite.excluded.facts, "updated_at": lite.excluded.updated_at},
        )
    pg = pg_insert(claim_facts).values(row)
    return pg.on_conflict_do_update(
        index_elements=[claim_facts.c.shipment_id],
        set_={"facts": pg.excluded.facts, "updated_at": pg.excluded.updated_at},
    )


async def load(store: Store, shipment_id: int) -> ClaimFacts | None:
    """The shipment's stored facts, or None when the user gave none."""
    async with store.reading() as conn:
        document = (
            await conn.execute(select(claim_facts.c.facts).where(claim_facts.c.shipment_id == shipment_id))
        ).scalar_one_or_none()
    return None if document is None else from_json(json.loads(document))


async def load_many(store: Store, shipment_ids: Iterable[int]) -> dict[int, ClaimFacts]:
    ids = sorted(set(shipment_ids))
    if not ids:
        return {}
    async with store.reading() as conn:
        rows = (
            await conn.execute(
                select(claim_facts.c.shipment_id, claim_facts.c.facts).where(
                    claim_facts.c.shipment_id.in_(ids)
                )
            )
        ).all()
    return {sid: from_json(json.loads(doc)) for sid, doc in rows}
