"""The command line of ``parcel-watch report …`` (argument definitions only; the handler
is in ``commands_report`` and is imported when the command runs)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from parcel_watch.cli.errors import EXIT_CODES_HELP

CommandFactory = Callable[..., argparse.ArgumentParser]
HandlerFactory = Callable[[str, str], Callable[[argparse.Namespace], int]]
GlobalOptions = Callable[..., None]


def add_report_commands(
    command: CommandFactory, handler: HandlerFactory, global_options: GlobalOptions
) -> None:
    report = command(
        "report",
        handler("commands_report", "cmd_report_carriers"),
        "reports over the stored shipments: carrier performance",
    )
    sub = report.add_subparsers(dest="report_name", metavar="REPORT", required=True)
    carriers = sub.add_parser(
        "carriers",
        help="how each carrier performed",
        description="Per carrier (or service, lane, ship month): shipments, delivered, on-time "
        "rate against the promised date and against the carrier's first estimate (Wilson 95 % "
        "interval), transit p50/p90/p99 in the destination's business days, first-scan lag, "
        "stall, lost/damaged and exception rates by reason, open and recovered claim amounts "
        "per currency. A table on a terminal; --json or --csv for tools.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    global_options(carriers, sub=True)
    carriers.set_defaults(handler=handler("commands_report", "cmd_report_carriers"))
    carriers.add_argument(
        "--by", choices=("carrier", "service", "lane", "month"), default="carrier", help="grouping"
    )
    carriers.add_argument("--since", metavar="YYYY-MM-DD", help="only shipments shipped on or after")
    fmt = carriers.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object with a row per group")
    fmt.add_argument("--csv", action="store_true", help="one CSV row per group")
