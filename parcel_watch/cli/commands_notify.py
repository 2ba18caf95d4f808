"""``parcel-watch notify watch|unwatch|list|test|log``.

URLs are shown redacted everywhere (apprise's privacy form): they carry passwords and
tokens, and terminals get recorded and shared.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from parcel_watch import notify_log
from parcel_watch.cli import output
from parcel_watch.cli.commands_add import carrier_option
from parcel_watch.cli.errors import CliError, ExitCode, InvalidInput, NotFound
from parcel_watch.cli.session import open_store, run
from parcel_watch.config import config_file_path
from parcel_watch.detect import normalize_number
from parcel_watch.model import Shipment
from parcel_watch.notify_config import NotifyConfigError, NotifySettings, redact
from parcel_watch.notify_facts import FactKind
from parcel_watch.store import Store

T = output.T


def load_settings() -> NotifySettings:
    try:
        return NotifySettings.load(config_file_path())
    except NotifyConfigError as exc:
        raise CliError(f"bad notify configuration: {exc}", code=ExitCode.DATABASE) from exc


def _url(raw: str) -> str:
    url = raw.strip()
    if "://" not in url:
        raise InvalidInput(f'"{redact(url)}" is not an apprise URL (scheme://…, e.g. ntfy://ntfy.sh/topic)')
    import apprise

    if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
        raise InvalidInput(
            f"apprise cannot read {redact(url)}", hint="see: https://github.com/caronc/apprise/wiki"
        )
    return url


async def _shipment(store: Store, raw: str, carrier: str | None) -> Shipment:
    number = normalize_number(raw)
    matches = await store.find(number, carrier) if number else []
    if not matches:
        raise NotFound(f"no shipment {number or raw} is stored", hint="see: parcel-watch list")
    if len(matches) > 1:
        raise InvalidInput(
            f"{number} is stored for several carriers ({', '.join(s.carrier for s in matches)})",
            hint=f"say which one with --carrier {matches[0].carrier}",
        )
    return matches[0]


def cmd_notify_watch(args: argparse.Namespace) -> int:
    url, carrier = _url(args.url), carrier_option(args.carrier)

    async def go() -> bool:
        async with open_store(args.db) as store:
            shipment = await _shipment(store, args.number, carrier)
            return await notify_log.add_watcher(store, shipment.id or 0, url, datetime.now(UTC))

    added = run(go())
    what = "now tells" if added else "already told"
    output.message(f"{normalize_number(args.number)}: {what} {redact(url)} about every change")
    return ExitCode.OK


def cmd_notify_unwatch(args: argparse.Namespace) -> int:
    url = args.url.strip() if args.url else None
    carrier = carrier_option(args.carrier)

    async def go() -> int:
        async with open_store(args.db) as store:
            shipment = await _shipment(store, args.number, carrier)
            return await notify_log.remove_watchers(store, shipment.id or 0, url)

    removed = run(go())
    if not removed:
        raise NotFound(
            f"{normalize_number(args.number)} has no such watcher", hint="see: parcel-watch notify list"
        )
    output.message(f"{normalize_number(args.number)}: {removed} watcher(s) removed")
    return ExitCode.OK


def cmd_notify_list(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def go() -> list[notify_log.Watcher]:
        async with open_store(args.db) as store:
            return await notify_log.list_watchers(store)

    watchers = run(go())
    routes: list[dict[str, Any]] = [
        {
            "kinds": sorted(k.value for k in r.kinds),
            "urls": [redact(u) for u in r.urls],
            "quiet_hours": str(r.timing.quiet_hours) if r.timing.quiet_hours else None,
            "digest": r.timing.digest.strftime("%H:%M") if r.timing.digest else None,
        }
        for r in settings.routes
    ]
    listed = [
        {"tracking_number": w.tracking_number, "carrier": w.carrier, "url": redact(w.url)} for w in watchers
    ]
    if args.json:
        output.emit_json({"routes": routes, "watchers": listed})
        return ExitCode.OK
    if not routes and not listed:
        output.message('No notification targets: add notify = ["ntfy://…"] to the config file, or watchers.')
        return ExitCode.OK
    table = Table(title="Targets", title_justify="left")
    for column in ("URL", "Kinds", "Quiet hours", "Digest"):
        table.add_column(column)
    for route in settings.routes:
        kinds = "every kind" if route.kinds == frozenset(FactKind) else ", ".join(sorted(route.kinds))
        quiet, digest = route.timing.quiet_hours, route.timing.digest
        for url in route.urls:
            table.add_row(
                T(redact(url)), T(kinds), T(str(quiet or "")), T(f"{digest:%H:%M}" if digest else "")
            )
    for w in watchers:
        table.add_row(T(redact(w.url)), T(f"every kind, {w.carrier} {w.tracking_number}"), "", "")
    output.console().print(table)
    return ExitCode.OK


def cmd_notify_test(args: argparse.Namespace) -> int:
    from parcel_watch.notify import send_test

    settings = load_settings()
    urls = [_url(u) for u in args.urls] or list(settings.urls)
    if not urls:
        raise CliError(
            "no notification URL is configured",
            hint=f'add notify = ["ntfy://ntfy.sh/your-topic"] to {config_file_path()}, or give a URL',
            code=ExitCode.INVALID,
        )

    results = run(send_test(urls))
    for label, result in results:
        if result.error is None:
            output.message(f"sent: {label}")
        else:
            output.message(f"failed: {label}: {result.error}")
    return ExitCode.OK if all(r.error is None for _, r in results) else ExitCode.INVALID


def _entry(row: notify_log.LogRow) -> dict[str, Any]:
    state = "retrying" if row.state == "pending" and row.attempts else row.state
    if row.state == "pending" and row.mode != "now" and not row.attempts:
        state = f"held ({row.mode})"
    return {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "target": row.target_label,
        "state": state,
        "attempts": row.attempts,
        "created_at": row.created_at.isoformat(),
        "send_after": row.send_after.isoformat() if row.state == "pending" else None,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "last_error": row.last_error,
    }


def cmd_notify_log(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise InvalidInput("--limit must be at least 1")

    async def go() -> list[notify_log.LogRow]:
        async with open_store(args.db) as store:
            return await notify_log.recent(store, limit=args.limit)

    entries = [_entry(r) for r in run(go())]
    if args.json:
        output.emit_json(entries)
        return ExitCode.OK
    if not entries:
        output.message("No notifications yet.")
        return ExitCode.OK
    table = Table()
    for column in ("When (UTC)", "State", "Message", "Target", "Last error"):
        table.add_column(column)
    for e in entries:
        when = e["sent_at"] or e["send_after"] or e["created_at"]
        table.add_row(
            T(output.utc(datetime.fromisoformat(when))),
            T(e["state"] + (f" ×{e['attempts']}" if e["attempts"] else "")),
            T(e["title"]),
            T(e["target"]),
            T(e["last_error"] or ""),
        )
    output.console().print(table)
    return ExitCode.OK
