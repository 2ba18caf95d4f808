"""The command line of ``parcel-watch notify …`` (argument definitions only; the handlers
are in ``commands_notify`` and are imported when a command runs)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from parcel_watch.cli.errors import EXIT_CODES_HELP

CommandFactory = Callable[..., argparse.ArgumentParser]
HandlerFactory = Callable[[str, str], Callable[[argparse.Namespace], int]]
GlobalOptions = Callable[..., None]


def add_notify_commands(
    command: CommandFactory, handler: HandlerFactory, global_options: GlobalOptions
) -> None:
    notify = command(
        "notify",
        handler("commands_notify", "cmd_notify_log"),
        "notifications: per-shipment watchers, a test message, what was sent",
        "Notifications go to the apprise URLs of the config file's notify setting "
        "($PARCEL_WATCH_CONFIG; also $PARCEL_WATCH_NOTIFY_URLS), routed by kind, and to the "
        "watchers of each shipment; 'parcel-watch watch' and the dashboard send them.",
    )
    sub = notify.add_subparsers(dest="notify_action", metavar="ACTION", required=True)

    def action(name: str, func: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help,
            description=description or help,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        global_options(p, sub=True)
        p.set_defaults(handler=handler("commands_notify", func))
        return p

    watch = action(
        "watch",
        "cmd_notify_watch",
        "tell an apprise URL about every change of one shipment",
        "Tell URL (any apprise URL: ntfy://…, mailto://…, tgram://…) about every fact of the "
        "shipment: status changes, delivery, anomalies, claim deadlines, duties. The URL is kept "
        "in the store (it may hold a password or token: the store is yours).",
    )
    watch.add_argument("number", metavar="NUMBER")
    watch.add_argument("url", metavar="URL")
    watch.add_argument("--carrier", metavar="SLUG", help="which carrier's shipment (when several)")

    unwatch = action(
        "unwatch", "cmd_notify_unwatch", "stop telling a URL (or every watcher) about a shipment"
    )
    unwatch.add_argument("number", metavar="NUMBER")
    unwatch.add_argument("url", nargs="?", metavar="URL", help="this watcher only (default: all of them)")
    unwatch.add_argument("--carrier", metavar="SLUG", help="which carrier's shipment (when several)")

    lst = action("list", "cmd_notify_list", "list the configured targets and the watchers (URLs redacted)")
    lst.add_argument("--json", action="store_true", help="a JSON object of routes and watchers")

    test = action(
        "test",
        "cmd_notify_test",
        "send a test message to every configured URL (or to the URLs given)",
        "Send a test message to each configured apprise URL, or to the URLs given, and say which "
        "arrived. Exit code 4 when one was refused.",
    )
    test.add_argument("urls", nargs="*", metavar="URL")

    log = action("log", "cmd_notify_log", "list recent messages: sent, waiting, retrying, failed")
    log.add_argument("--limit", type=int, default=30, metavar="N", help="this many (default: 30)")
    log.add_argument("--json", action="store_true", help="a JSON array of log entries")
