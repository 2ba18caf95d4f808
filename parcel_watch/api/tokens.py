"""API tokens: created once, kept only as a hash, checked in constant time.

A token reads ``pw_<id>_<secret>``: the id (8 random bytes, hex) is not secret and is how a
presented token is found; the secret is 32 random bytes. The store keeps the SHA-256 of the
whole token. A slow KDF (bcrypt, scrypt, argon2) protects *passwords*, which are guessable,
by making each guess expensive; a 256-bit random secret cannot be guessed however fast the
hash is, so one SHA-256 is enough and keeps every request cheap. The stored hash is compared
with ``hmac.compare_digest``, so the time taken does not tell how much of it matched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import insert, select, update

from parcel_watch.store import Store
from parcel_watch.store.schema import api_tokens

PREFIX = "pw"
_ID_BYTES = 8
_SECRET_BYTES = 32
MAX_NAME = 120


class Scope(StrEnum):
    READ = "read"  # GET only
    WRITE = "write"  # reads and changes

    def allows(self, needed: Scope) -> bool:
        return self is Scope.WRITE or needed is Scope.READ


@dataclass(frozen=True)
class TokenInfo:
    """What is known of a token (never the token itself)."""

    token_id: str
    name: str
    scope: Scope
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split(token: str) -> str | None:
    """The token's public id, or None if it is not shaped like one of ours."""
    parts = token.split("_", 2)  # the secret (URL-safe base64) may hold "_" itself
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 2 * _ID_BYTES:
        return None
    return parts[1]


async def create(store: Store, scope: Scope, name: str, now: datetime) -> tuple[str, TokenInfo]:
    """A new token (returned once, to be shown once) and what is stored about it."""
    token_id = secrets.token_hex(_ID_BYTES)
    token = f"{PREFIX}_{token_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    name = name.strip()[:MAX_NAME] or f"token {token_id}"
    async with store.writing() as conn:
        await conn.execute(
            insert(api_tokens).values(
                token_id=token_id, secret_hash=_hash(token), name=name, scope=scope.value, created_at=now
            )
        )
    return token, TokenInfo(token_id, name, scope, now, None)


async def verify(store: Store, token: str) -> TokenInfo | None:
    """The active token this is, or None (unknown, revoked, or wrong secret)."""
    token_id = split(token)
    if token_id is None:
        return None
    c = api_tokens.c
    query = select(c.token_id, c.secret_hash, c.name, c.scope, c.created_at, c.revoked_at).where(
        c.token_id == token_id
    )
    async with store.reading() as conn:
        row = (await conn.execute(query)).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(token)) or row.revoked_at is not None:
        return None
    return TokenInfo(row.token_id, row.name, Scope(row.scope), row.created_at, row.revoked_at)


async def list_tokens(store: Store) -> list[TokenInfo]:
    c = api_tokens.c
    query = select(c.token_id, c.name, c.scope, c.created_at, c.revoked_at).order_by(c.created_at, c.id)
    async with store.reading() as conn:
        rows = (await conn.execute(query)).all()
    return [TokenInfo(r.token_id, r.name, Scope(r.scope), r.created_at, r.revoked_at) for r in rows]


async def revoke(store: Store, token_id: str, now: datetime) -> bool:
    """Revoke by id (or by the whole token); False if no active token has it."""
    token_id = split(token_id) or token_id
    c = api_tokens.c
    async with store.writing() as conn:
        done = await conn.execute(
            update(api_tokens).where(c.token_id == token_id, c.revoked_at.is_(None)).values(revoked_at=now)
        )
    return bool(done.rowcount)
