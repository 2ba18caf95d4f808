"""Drafted claims in the store and their lifecycle: draft → ready → filed → acknowledged →
paid / partially paid / denied / expired (``claims.model.TRANSITIONS``).

Every status a claim takes is a row in ``claim_status_changes`` with who set it, when, and
an optional note: the history is evidence too, and it is only ever appended to. A claim
keeps the JSON document it was drafted from (``drafting.document``); drafting again
refreshes the document only while the claim is a draft or ready — once filed, it stays
what was filed.

Dates a claimant must meet are calendar dates in the claim's time zone: "today" is the
claimant's today, so a claim in Shanghai closes before one in Los Angeles does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from claims.model import TRANSITIONS, AnomalyKind, ClaimDraft, ClaimStatus, Incident, Party
from parcel_watch.model import Money
from parcel_watch.store import Store
from parcel_watch.store.schema import claim_status_changes, claims

# Who expires a claim whose window closed: the tool, not a person.
SYSTEM_ACTOR = "parcel-watch"
OPEN_STATUSES = frozenset({ClaimStatus.DRAFT, ClaimStatus.READY})  # not yet filed
_MAX_ACTOR = 120


class ClaimError(Exception):
    """A claim operation refused, explained in one sentence."""


class ClaimNotFound(ClaimError):
    pass


class InvalidTransition(ClaimError):
    pass


@dataclass(frozen=True)
class StoredClaim:
    id: int
    shipment_id: int
    anomaly: AnomalyKind
    policy_id: str
    respondent: Party
    incident: Incident
    status: ClaimStatus
    auto_file: bool
    amount: Money | None
    earliest: date | None
    latest: date | None
    time_zone: str
    document: dict[str, Any]  # what the letters and fields are rendered from
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StatusChange:
    claim_id: int
    from_status: ClaimStatus | None  # None: the claim was created
    to_status: ClaimStatus
    by: str
    at: datetime
    note: str | None


@dataclass(frozen=True)
class Reminder:
    claim: StoredClaim
    latest: date
    days_left: int  # 0: today is the last day


# -- pure rules ---------------------------------------------------------------------------


def check_transition(claim_id: int, current: ClaimStatus, new: ClaimStatus) -> None:
    """Raise InvalidTransition unless ``current`` → ``new`` is allowed."""
    allowed = TRANSITIONS[current]
    if new in allowed:
        return
    if not allowed:
        raise InvalidTransition(
            f"claim {claim_id} is {current.value}: that is final, its status cannot change"
        )
    options = ", ".join(sorted(s.value for s in allowed))
    raise InvalidTransition(
        f"claim {claim_id} cannot go from {current.value} to {new.value}; from {current.value} it can go to: "
        f"{options}"
    )


def claimant_today(time_zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(time_zone)).date()


def days_left(claim: StoredClaim, now: datetime) -> int | None:
    """Days until the last filing day in the claimant's zone (negative: closed); None: no deadline."""
    if claim.latest is None:
        return None
    return (claim.latest - claimant_today(claim.time_zone, now)).days


def window_closed(claim: StoredClaim, now: datetime) -> bool:
    left = days_left(claim, now)
    return left is not None and left < 0


# -- rows ---------------------------------------------------------------------------------


def _claim(row: Row[Any]) -> StoredClaim:
    m = row._mapping
    amount = Money(amount=Decimal(m["amount"]), currency=m["currency"]) if m["amount"] is not None else None
    return StoredClaim(
        id=m["id"],
        shipment_id=m["shipment_id"],
        anomaly=AnomalyKind(m["anomaly"]),
        policy_id=m["policy_id"],
        respondent=Party(m["respondent"]),
        incident=Incident(m["incident"]),
        status=ClaimStatus(m["status"]),
        auto_file=bool(m["auto_file"]),
        amount=amount,
        earliest=m["earliest"],
        latest=m["latest"],
        time_zone=m["time_zone"],
        document=json.loads(m["draft"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def _draft_values(draft: ClaimDraft, document: dict[str, Any]) -> dict[str, Any]:
    amount = draft.amount.claimed if draft.amount is not None else None
    deadline = draft.deadline
    return {
        "respondent": draft.respondent.value,
        "incident": draft.incident.value,
        "auto_file": draft.auto_file,
        "amount": str(amount.amount) if amount is not None else None,
        "currency": amount.currency if amount is not None else None,
        "earliest": deadline.earliest if deadline is not None else None,
        "latest": deadline.latest if deadline is not None else None,
        "time_zone": deadline.time_zone if deadline is not None else "UTC",
        "draft": json.dumps(document, ensure_ascii=False),  # in its order: the form's fields are
    }


def _actor(by: str) -> str:
    by = by.strip()
    if not by:
        raise ClaimError("a status change needs the name of who made it")
    return by[:_MAX_ACTOR]


async def _change(
    conn: AsyncConnection,
    claim_id: int,
    old: ClaimStatus | None,
    new: ClaimStatus,
    by: str,
    now: datetime,
    note: str | None,
) -> None:
    await conn.execute(
        insert(claim_status_changes).values(
            claim_id=claim_id,
            from_status=old.value if old is not None else None,
            to_status=new.value,
            changed_by=by,
            changed_at=now,
            note=note,
        )
    )


# -- writing ------------------------------------------------------------------------------


async def record_drafts(
    store: Store,
    drafts: Sequence[tuple[ClaimDraft, dict[str, Any]]],
    *,
    by: str,
    now: datetime,
) -> list[StoredClaim]:
    """Store each (draft, its document): a new claim starts as a draft (history: created);
    an existing one not yet filed gets the new document; a filed one is left as it is.
    Claims are keyed by (shipment, anomaly kind, policy). Returns the claims, in order."""
    actor = _actor(by)
    ids: list[int] = []
    async with store.writing() as conn:
        for draft, document in drafts:
            key = (
                (claims.c.shipment_id == draft.shipment_id)
                & (claims.c.anomaly == draft.anomaly.value)
                & (claims.c.policy_id == draft.policy.id)
            )
            found = (await conn.execute(select(claims.c.id, claims.c.status).where(key))).first()
            values = _draft_values(draft, document)
            if found is None:
                new_id = (
                    await conn.execute(
                        insert(claims)
                        .values(
                            shipment_id=draft.shipment_id,
                            anomaly=draft.anomaly.value,
                            policy_id=draft.policy.id,
                            status=ClaimStatus.DRAFT.value,
                            created_at=now,
                            updated_at=now,
                            **values,
                        )
                        .returning(claims.c.id)
                    )
                ).scalar_one()
                await _change(conn, new_id, None, ClaimStatus.DRAFT, actor, now, "drafted")
                ids.append(new_id)
                continue
            if ClaimStatus(found.status) in OPEN_STATUSES:
                await conn.execute(
                    update(claims).where(claims.c.id == found.id).values(updated_at=now, **values)
                )
            ids.append(found.id)
    by_id = {c.id: c for c in await _select(store, claims.c.id.in_(ids))}
    return [by_id[i] for i in ids]


async def set_status(
    store: Store, claim_id: int, new: ClaimStatus, *, by: str, now: datetime, note: str | None = None
) -> StoredClaim:
    """Move a claim to ``new`` and record who did it; InvalidTransition if the lifecycle forbids it."""
    actor = _actor(by)
    async with store.writing() as conn:
        # FOR UPDATE: two PostgreSQL sessions changing one claim take turns (SQLite's
        # BEGIN IMMEDIATE already serialises writers), so each checks the status it replaces.
        query = select(claims.c.status).where(claims.c.id == claim_id)
        if conn.dialect.name != "sqlite":
            query = query.with_for_update()
        current = (await conn.execute(query)).scalar_one_or_none()
        if current is None:
            raise ClaimNotFound(f"no claim {claim_id}")
        old = ClaimStatus(current)
        check_transition(claim_id, old, new)
        await conn.execute(
            update(claims).where(claims.c.id == claim_id).values(status=new.value, updated_at=now)
        )
        await _change(conn, claim_id, old, new, actor, now, (note.strip() or None) if note else None)
    return await get(store, claim_id)


async def expire_closed(store: Store, now: datetime) -> list[StoredClaim]:
    """Move every unfiled claim whose last filing day has passed (in its claimant's zone)
    to expired, noting the day the window closed. Returns the claims expired."""
    # Prefilter in SQL: no zone is more than a day ahead of UTC.
    horizon = now.date() + timedelta(days=1)
    candidates = await _select(
        store,
        claims.c.status.in_([s.value for s in OPEN_STATUSES])
        & claims.c.latest.is_not(None)
        & (claims.c.latest <= horizon),
    )
    closed = [c for c in candidates if window_closed(c, now)]
    if not closed:
        return []
    async with store.writing() as conn:
        expired: list[int] = []
        for claim in closed:
            # Conditional: a claim filed meanwhile by another process is not expired.
            done = await conn.execute(
                update(claims)
                .where((claims.c.id == claim.id) & (claims.c.status == claim.status.value))
                .values(status=ClaimStatus.EXPIRED.value, updated_at=now)
            )
            if done.rowcount:
                note = f"the claim window closed on {claim.latest}"
                await _change(conn, claim.id, claim.status, ClaimStatus.EXPIRED, SYSTEM_ACTOR, now, note)
                expired.append(claim.id)
    return await _select(store, claims.c.id.in_(expired)) if expired else []


# -- reading ------------------------------------------------------------------------------


async def _select(store: Store, where: ColumnElement[bool]) -> list[StoredClaim]:
    async with store.reading() as conn:
        rows = (await conn.execute(select(claims).where(where).order_by(claims.c.id))).all()
    return [_claim(r) for r in rows]


async def get(store: Store, claim_id: int) -> StoredClaim:
    found = await _select(store, claims.c.id == claim_id)
    if not found:
        raise ClaimNotFound(f"no claim {claim_id}")
    return found[0]


async def list_claims(
    store: Store, *, shipment_id: int | None = None, status: ClaimStatus | None = None
) -> list[StoredClaim]:
    conditions: list[ColumnElement[bool]] = [claims.c.id.is_not(None)]
    if shipment_id is not None:
        conditions.append(claims.c.shipment_id == shipment_id)
    if status is not None:
        conditions.append(claims.c.status == status.value)
    return await _select(store, and_(*conditions))


async def history(store: Store, claim_id: int) -> list[StatusChange]:
    query = (
        select(claim_status_changes)
        .where(claim_status_changes.c.claim_id == claim_id)
        .order_by(claim_status_changes.c.changed_at, claim_status_changes.c.id)
    )
    async with store.reading() as conn:
        rows = (await conn.execute(query)).all()
    return [
        StatusChange(
            claim_id=r.claim_id,
            from_status=ClaimStatus(r.from_status) if r.from_status is not None else None,
            to_status=ClaimStatus(r.to_status),
            by=r.changed_by,
            at=r.changed_at,
            note=r.note,
        )
        for r in rows
    ]


async def due_within(store: Store, now: datetime, days: int) -> list[Reminder]:
    """Unfiled claims whose last filing day is within ``days`` days (today counts as 0),
    soonest first: what a reminder should be sent about."""
    horizon = now.date() + timedelta(days=days + 1)
    candidates = await _select(
        store,
        claims.c.status.in_([s.value for s in OPEN_STATUSES])
        & claims.c.latest.is_not(None)
        & (claims.c.latest <= horizon),
    )
    reminders = []
    for claim in candidates:
        left = days_left(claim, now)
        if left is not None and claim.latest is not None and 0 <= left <= days:
            reminders.append(Reminder(claim, claim.latest, left))
    return sorted(reminders, key=lambda r: (r.days_left, r.claim.id))
