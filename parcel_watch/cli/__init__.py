"""The ``parcel-watch`` command line: argument parsing and dispatch.

``main(argv)`` returns the exit code (the console script uses it as such); only
``python -m parcel_watch`` wraps it in ``SystemExit``. Commands live in
``commands_add`` (add, remove), ``commands_read`` (list, show, detect, carriers) and
``commands_import``, ``commands_io`` (export); exit codes in ``errors``.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from parcel_watch import __version__
from parcel_watch.cli import output
from parcel_watch.cli.errors import EXIT_CODES_HELP, CliError, ExitCode
from parcel_watch.config import ConfigError

ENV_DEBUG = "PARCEL_WATCH_DEBUG"
# parcel_watch.import_mapping.PRESETS' names (not imported here: the parser stays light)
IMPORT_PRESETS = ("amazon", "ebay", "shipstation", "shopify", "woocommerce")

Handler = Callable[[argparse.Namespace], int]


def _cmd(module: str, name: str) -> Handler:
    """A handler imported on first use: `detect` must not pay for SQLAlchemy's import."""

    def handler(args: argparse.Namespace) -> int:
        import importlib

        return int(getattr(importlib.import_module(f"parcel_watch.cli.{module}"), name)(args))

    return handler


def _global_options(parser: argparse.ArgumentParser, *, sub: bool) -> None:
    # On subcommands the defaults are SUPPRESS, so `--db X list` is not reset by `list`.
    default = argparse.SUPPRESS if sub else None
    parser.add_argument(
        "--db",
        metavar="URL_OR_PATH",
        default=default,
        help="database: a SQLite file path or postgresql://user@host/db "
        "(default: $PARCEL_WATCH_DB, else a file in the user data directory)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if sub else False,
        help=f"show tracebacks of internal errors (also {ENV_DEBUG}=1)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parcel-watch",
        description="Track shipments: detect carriers from tracking numbers, keep their events.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, sub=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        name: str, handler: Handler, help: str, description: str | None = None
    ) -> argparse.ArgumentParser:
        p = commands.add_parser(
            name,
            help=help,
            description=description or help,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _global_options(p, sub=True)
        p.set_defaults(handler=handler)
        return p

    add = command(
        "add",
        _cmd("commands_add", "cmd_add"),
        "add a shipment (or update it), or every tracking number found in a text",
        "Add a shipment by its tracking number (the carrier is detected unless --carrier is "
        "given), or with --from-text every tracking number found in a text such as an order "
        "e-mail. Adding a stored number again updates the fields given.",
    )
    add.add_argument(
        "number", nargs="?", metavar="NUMBER", help="the tracking number (quote it if it has spaces)"
    )
    add.add_argument("--from-text", metavar="FILE", help="find the numbers in FILE ('-': standard input)")
    add.add_argument(
        "--carrier", metavar="SLUG", help="the carrier (see: parcel-watch carriers); kept over detection"
    )
    add.add_argument("--label", metavar="TEXT", help="your name for the shipment")
    add.add_argument("--order", metavar="REF", help="order reference")
    add.add_argument("--service", metavar="S", help="service level")
    add.add_argument("--origin", metavar="CC", help="origin country (ISO 3166 alpha-2)")
    add.add_argument("--destination", metavar="CC", help="destination country (ISO 3166 alpha-2)")
    add.add_argument("--ship-date", metavar="YYYY-MM-DD", help="date shipped")
    add.add_argument("--promised", metavar="YYYY-MM-DD", help="promised delivery date")
    add.add_argument("--value", metavar="AMOUNT", help="declared value (needs --currency)")
    add.add_argument("--currency", metavar="CUR", help="currency of --value (ISO 4217)")
    add.add_argument("--weight", metavar="KG", help="weight in kg")

    lst = command("list", _cmd("commands_read", "cmd_list"), "list the stored shipments")
    lst.add_argument("--status", metavar="S", help="only this status (e.g. IN_TRANSIT, DELIVERED)")
    lst.add_argument("--carrier", metavar="SLUG", help="only this carrier")
    lst.add_argument("--json", action="store_true", help="a JSON array of shipments")

    show = command(
        "show",
        _cmd("commands_read", "cmd_show"),
        "show a shipment and its timeline",
        "Show a shipment and its events (UTC and the carrier's local time). A number stored "
        "for several carriers shows all of them; --carrier picks one. --json prints a JSON "
        "array (one object per carrier, each with its events).",
    )
    show.add_argument("number", metavar="NUMBER")
    show.add_argument("--carrier", metavar="SLUG", help="only the shipment of this carrier")
    show.add_argument("--json", action="store_true", help="a JSON array of shipments with events")

    remove = command("remove", _cmd("commands_add", "cmd_remove"), "remove a shipment and its events")
    remove.add_argument("number", metavar="NUMBER")
    remove.add_argument("--carrier", metavar="SLUG", help="which carrier's shipment (when several)")

    imp = command(
        "import",
        _cmd("commands_import", "cmd_import"),
        "import shipments from a CSV file",
        "Import shipments from a CSV file: a header row, then one shipment per row. Columns "
        "(by header name, any order, case-insensitive): tracking_number (required), carrier, "
        "label, order_ref, service, origin_country, destination_country, ship_date, "
        "promised_delivery (YYYY-MM-DD), declared_value, currency, weight_kg. Delimiter ',' "
        "or ';' (tab, '|'), UTF-8 with or without BOM. Bad rows are reported by line and "
        "column; the good rows are imported (exit code 6 when some rows failed). A platform's "
        "export: --preset (shopify = Matrixify orders with fulfillments, shipstation, "
        "woocommerce = AST, amazon, ebay), or any CSV with --map field=Column,...; re-importing "
        "a file changes nothing.",
    )
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument("--preset", choices=IMPORT_PRESETS, help="the platform export's columns")
    imp.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN,...",
        help="which column holds each field: tracking (required), carrier, service, order, label, "
        "ship_date, promised, days (service days from the ship date), value, currency, "
        "destination, origin, weight; overrides the preset's",
    )
    imp.add_argument(
        "--date-format", metavar="FMT", help="the file's dates: DD/MM/YYYY, MM-DD-YYYY, %%d.%%m.%%Y ..."
    )
    imp.add_argument("--currency", metavar="ISO", help="currency of amounts written without one")
    imp.add_argument("--encoding", metavar="ENC", help="the file's encoding when not UTF-8 (cp1252, gbk ...)")
    imp.add_argument("--json", action="store_true", help="print the summary as JSON")

    exp = command(
        "export",
        _cmd("commands_io", "cmd_export"),
        "export all shipments with their events",
        "Export every shipment with its events. json: an array of shipments, each with "
        "'events'; csv: one row per event, shipment columns repeated (a shipment without "
        "events has one row). Names after 'signed by' etc., e-mail addresses and phone "
        "numbers in descriptions and labels are redacted unless --include-personal.",
    )
    exp.add_argument(
        "--format", choices=("csv", "json"), default="json", help="output format (default: json)"
    )
    exp.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    exp.add_argument("--include-personal", action="store_true", help="keep personal data unredacted")

    det = command(
        "detect",
        _cmd("commands_read", "cmd_detect"),
        "which carrier a tracking number belongs to",
        "Rank every carrier format the number matches, best first. --json prints one object "
        '{"number": ..., "candidates": [...]}. Exit code 4 when no reading validates.',
    )
    det.add_argument("number", nargs="+", metavar="NUMBER", help="the number (may be given in groups)")
    det.add_argument("--json", action="store_true", help="machine-readable output")

    car = command("carriers", _cmd("commands_read", "cmd_carriers"), "list the known carriers")
    car.add_argument("--json", action="store_true", help="a JSON array of {carrier, name}")

    prs = command(
        "parse",
        _cmd("commands_parse", "cmd_parse"),
        "show what an adapter makes of a carrier payload",
        "Parse a carrier API response or webhook body (a file, or - for stdin) with one adapter "
        "and print the normalized shipments and events; errors in the payload are listed, typed.",
    )
    prs.add_argument(
        "--carrier",
        required=True,
        metavar="ADAPTER",
        help="dhl, ups, fedex, usps, 17track, aftership, easypost",
    )
    prs.add_argument("file", metavar="FILE")

    pol = command("poll", _cmd("commands_poll", "cmd_poll"), "poll every shipment that is due, once")
    pol.add_argument("--json", action="store_true", help="a JSON summary with each source's state")
    command("watch", _cmd("commands_poll", "cmd_watch"), "poll shipments as they fall due, until stopped")
    wrk = command(
        "worker",
        _cmd("commands_worker", "cmd_worker"),
        "one of many pollers sharing a PostgreSQL store (leases, shared rate limits)",
        "Poll due shipments as one of any number of worker processes on one database: each "
        "worker leases a batch of due shipments (SELECT ... FOR UPDATE SKIP LOCKED), polls "
        "them and releases them; a crashed worker's lease expires and others take over. "
        "Each source's request rate is shared by all workers through the database.",
    )
    wrk.add_argument("--name", metavar="NAME", help="this worker's name in leases (default: host:pid)")
    wrk.add_argument(
        "--concurrency", type=int, default=8, metavar="N", help="requests in flight per source (default: 8)"
    )
    wrk.add_argument(
        "--lease",
        type=int,
        default=None,
        metavar="N",
        help="shipments leased at a time (default: twice the requests in flight of all sources)",
    )
    wrk.add_argument(
        "--lease-seconds",
        type=float,
        default=120.0,
        metavar="S",
        help="a lease expires after this long; no request starts within a timeout of it (default: 120)",
    )
    wrk.add_argument(
        "--request-timeout",
        type=float,
        default=20.0,
        metavar="S",
        help="a carrier request's timeout (default: 20)",
    )
    wrk.add_argument(
        "--rate",
        action="append",
        metavar="SOURCE=PER_S",
        help="a source's request rate for all workers together (default: the documented rate); repeatable",
    )
    wrk.add_argument("--json", action="store_true", help="print the final summary as JSON")

    prg = command(
        "purge",
        _cmd("commands_purge", "cmd_purge"),
        "delete old delivered shipments' personal data and raw payloads",
        "Delete the personal data (names, addresses, phones, e-mails) and the raw carrier "
        "payloads of shipments delivered longer ago than the retention period, keeping the "
        "anonymous statistics (carrier, route, dates, statuses) the reports need.",
    )
    prg.add_argument("--older-than", required=True, metavar="AGE", help="retention period, e.g. 180d, 26w")
    prg.add_argument("--dry-run", action="store_true", help="count what would be purged; change nothing")
    prg.add_argument("--json", action="store_true", help="print the summary as JSON")

    demo = command(
        "demo",
        _cmd("commands_demo", "cmd_demo"),
        "run the tracker against the built-in sandbox carrier (no accounts needed)",
        "Start the sandbox carrier on loopback, add shipments across carriers and scenarios "
        "(on time, late, lost, damaged, customs hold, failed attempts, returned, pickup point) "
        "to a fresh SQLite store, and poll them with the real adapters on a simulated clock.",
    )
    demo.add_argument(
        "--headless", action="store_true", help="no progress (on a terminal: the dashboard opens)"
    )
    demo.add_argument(
        "--no-tui", action="store_true", help="on a terminal, a live table instead of the dashboard"
    )
    demo.add_argument("--json", action="store_true", help="print the summary as JSON")
    demo.add_argument("--seed", type=int, default=7, help="journeys are reproducible per seed")
    demo.add_argument("--per-scenario", type=int, default=1, help="shipments per carrier and scenario")
    demo.add_argument(
        "--max-steps", type=int, default=None, metavar="N", help="stop after N simulated steps (a quick look)"
    )

    tui = command(
        "tui",
        _cmd("commands_tui", "cmd_tui"),
        "open the dashboard: parcels, timelines, anomalies, claims, carriers",
        "Open the terminal dashboard on the store. Configured carrier sources are polled "
        "inside it; without any (or with --no-poll) it follows the store, which another "
        "process (parcel-watch watch) may be filling.",
    )
    tui.add_argument("--no-poll", action="store_true", help="only read the store; poll nothing")

    sbx = command(
        "sandbox", _cmd("commands_demo", "cmd_sandbox"), "run the sandbox carrier server standalone"
    )
    sbx.add_argument("--host", default="127.0.0.1")
    sbx.add_argument("--port", type=int, default=8765)
    sbx.add_argument("--seed", type=int, default=7)
    sbx.add_argument("--speed", type=float, default=60.0, help="sandbox time runs this many times faster")

    anom = command(
        "anomalies",
        _cmd("commands_anomalies", "cmd_anomalies"),
        "evaluate the anomaly rules, then list the open anomalies",
        "Evaluate the anomaly rules on the shipments that changed since the last run (new "
        "events, edited facts, a deadline reached) and list the open anomalies: late, "
        "delivered late, stalled, lost, damaged, customs hold, duties due, delivery failed, "
        "returned to sender, estimate slipped, status regression, refund overdue. Thresholds "
        "come from the [rules] table of the config file ($PARCEL_WATCH_CONFIG).",
    )
    anom.add_argument("--json", action="store_true", help="a JSON array of anomalies")
    anom.add_argument("--all", action="store_true", help="resolved anomalies too")
    anom.add_argument("--kind", metavar="K", help="only this kind (e.g. stalled, late)")
    ret = command(
        "return",
        _cmd("commands_anomalies", "cmd_return"),
        "mark a shipment as the return of another (and its refund as received)",
        "Link a return shipment to the shipment it sends back, so that the refund_overdue rule "
        "watches the refund: once the return is delivered to the seller, the refund is due within "
        "the regime's period (eu, uk: 14 days; cn: 7 days; us: 7 working days; by default the "
        "seller's country decides). --refund-received marks the refund paid.",
    )
    ret.add_argument("number", metavar="NUMBER", help="the return shipment's tracking number")
    ret.add_argument("--of", required=True, metavar="NUMBER", help="the original shipment's tracking number")
    ret.add_argument("--regime", metavar="R", help="refund rule: eu, uk, cn or us")
    ret.add_argument("--refund-received", metavar="DATE", help="when the refund arrived (YYYY-MM-DD)")

    srv = command(
        "serve",
        _cmd("commands_serve", "cmd_serve"),
        "serve the JSON API and receive carrier webhooks (17TRACK, AfterShip, EasyPost)",
    )
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    srv.add_argument("--port", type=int, default=8790, help="port (default: 8790)")

    from parcel_watch.cli.claims_parser import add_claims_commands  # claims, evidence

    add_claims_commands(command, _cmd, _global_options)
    from parcel_watch.cli.notify_parser import add_notify_commands  # notify watch|unwatch|list|test|log

    add_notify_commands(command, _cmd, _global_options)
    from parcel_watch.cli.token_parser import add_token_commands  # token create|list|revoke

    add_token_commands(command, _cmd, _global_options)
    from parcel_watch.cli.report_parser import add_report_commands  # report carriers

    add_report_commands(command, _cmd, _global_options)
    prs.add_argument("--json", action="store_true", help='{"shipments": [...], "errors": [...]}')
    return parser


def _debug(args: argparse.Namespace | None) -> bool:
    return bool(getattr(args, "debug", False)) or os.environ.get(ENV_DEBUG, "") not in ("", "0")


def _quiet_broken_pipe() -> None:
    # The reader went away (`| head`): stop quietly, and let the interpreter's final
    # flush of stdout go nowhere instead of failing again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (see errors.ExitCode)."""
    parser = build_parser()
    args: argparse.Namespace | None = None
    try:
        args = parser.parse_args(argv)
        handler: Handler = args.handler
        return handler(args)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    except CliError as exc:
        output.error(exc.message, exc.hint)
        if _debug(args) and exc.__cause__ is not None:
            traceback.print_exception(exc.__cause__, file=sys.stderr)
        return exc.code
    except ConfigError as exc:  # e.g. the config file is readable by others: the user's to fix
        output.error(str(exc))
        return ExitCode.DATABASE
    except KeyboardInterrupt:
        output.message("interrupted")
        return 130
    except BrokenPipeError:
        _quiet_broken_pipe()
        return ExitCode.OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if _debug(args):
            traceback.print_exc(file=sys.stderr)
        output.error(
            f"internal error: {type(exc).__name__}: {exc}",
            hint=None if _debug(args) else f"run again with --debug (or {ENV_DEBUG}=1) for details",
        )
        return ExitCode.INTERNAL


__all__ = ["ExitCode", "build_parser", "main"]
