"""``parcel-watch token create|list|revoke``: the JSON API's tokens.

A new token is printed once, alone on standard output (so ``$(parcel-watch token create
…)`` captures it); everything else names a token by its public id only."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from rich.table import Table

from parcel_watch.cli import output
from parcel_watch.cli.errors import NotFound
from parcel_watch.cli.session import open_store, run


def cmd_token_create(args: argparse.Namespace) -> int:
    from parcel_watch.api import tokens

    async def create() -> tuple[str, tokens.TokenInfo]:
        async with open_store(args.db) as store:
            return await tokens.create(store, tokens.Scope(args.scope), args.name, datetime.now(UTC))

    token, info = run(create())
    output.emit_line(token)
    output.note(
        f"{info.scope.value} token {info.token_id} ({info.name}): shown this once, stored only as a hash"
    )
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from parcel_watch.api import tokens

    async def read() -> list[tokens.TokenInfo]:
        async with open_store(args.db) as store:
            return await tokens.list_tokens(store)

    found = run(read())
    if getattr(args, "json", False):
        output.emit_json(
            [
                {
                    "id": t.token_id,
                    "name": t.name,
                    "scope": t.scope.value,
                    "created_at": t.created_at.isoformat(),
                    "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                }
                for t in found
            ]
        )
        return 0
    table = Table("id", "name", "scope", "created", "revoked")
    for t in found:
        table.add_row(
            t.token_id, output.T(t.name), t.scope.value, output.utc(t.created_at), output.utc(t.revoked_at)
        )
    output.console().print(table)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from parcel_watch.api import tokens

    async def revoke() -> bool:
        async with open_store(args.db) as store:
            return await tokens.revoke(store, args.token_id, datetime.now(UTC))

    if not run(revoke()):
        raise NotFound(f"no active token {tokens.split(args.token_id) or args.token_id!r}")
    output.message(f"revoked {tokens.split(args.token_id) or args.token_id}")
    return 0
