"""``parcel-watch report carriers``: the carrier performance report as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TextIO

from rich.table import Table

from parcel_watch.cli import output
from parcel_watch.cli.errors import ExitCode, InvalidInput
from parcel_watch.cli.session import open_store, run
from parcel_watch.textsafe import export_row
from parcel_watch.views.carrier_report import By, CarrierReport, CarrierRow, Rate, carrier_report

T = output.T

CSV_COLUMNS = (
    "carrier", "service", "origin", "destination", "month", "shipments", "delivered",
    "on_time_promise", "on_time_promise_of", "on_time_promise_rate", "on_time_promise_ci_low",
    "on_time_promise_ci_high", "on_time_estimate", "on_time_estimate_of", "on_time_estimate_rate",
    "on_time_estimate_ci_low", "on_time_estimate_ci_high", "transit_bd_p50", "transit_bd_p90",
    "transit_bd_p99", "first_scan_lag_h_p50", "first_scan_lag_h_p90", "stalled", "stalled_rate",
    "lost_or_damaged", "lost_or_damaged_rate", "exceptions", "open_claims", "open_claimed",
    "recovered",
)  # fmt: skip


WIDE = 150  # columns the one-table layout needs


def since_option(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f'--since wants a date as YYYY-MM-DD, not "{value}"') from None


def cmd_report_carriers(args: argparse.Namespace) -> int:
    since = since_option(args.since)
    report = run(_report(args.db, By(args.by), since))
    if args.json:
        output.emit_json(report.to_dict())
    elif args.csv:
        write_csv(report, sys.stdout)
    elif not report.rows:
        output.message("No shipments to report on.")
    else:
        console = output.console()
        if console.width >= WIDE:
            console.print(table(report))
        else:  # a narrow terminal: one small table per group, every number readable
            for card in cards(report):
                console.print(card)
    return ExitCode.OK


async def _report(db: str | None, by: By, since: date | None) -> CarrierReport:
    async with open_store(db) as store:
        return await carrier_report(store, by=by, since=since)


def _amounts(amounts: Iterable[tuple[str, Decimal]]) -> str:
    return " ".join(f"{currency} {amount}" for currency, amount in amounts)


def _reasons(row: CarrierRow) -> str:
    return " ".join(f"{reason}={n}" for reason, n in row.exceptions)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def write_csv(report: CarrierReport, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        rates = []
        for rate in (row.on_time_vs_promise, row.on_time_vs_estimate):
            low, high = rate.interval or (None, None)
            rates += [rate.count, rate.of, _number(rate.rate), _number(low), _number(high)]
        transit, lag = row.transit_business_days, row.first_scan_lag_hours
        writer.writerow(
            export_row([  # carrier text (service names) without terminal escapes
                row.carrier, row.service or "", row.origin or "", row.destination or "", row.month or "",
                row.shipments, row.delivered, *rates,
                *(_blank(transit.percentile(p)) for p in (50, 90, 99)),
                *(_blank(lag.percentile(p)) for p in (50, 90)),
                row.stalled.count, _number(row.stalled.rate),
                row.lost_or_damaged.count, _number(row.lost_or_damaged.rate),
                _reasons(row), row.open_claims, _amounts(row.open_claimed), _amounts(row.recovered),
            ])
        )  # fmt: skip


def _blank(value: int | None) -> str:
    return "" if value is None else str(value)


def _percent(rate: Rate) -> str:
    if rate.rate is None:
        return "–"
    low, high = rate.interval or (0.0, 0.0)
    return f"{rate.rate:.0%} ({low:.0%}–{high:.0%})\n{rate.count}/{rate.of}"


def _group(row: CarrierRow) -> str:
    parts = [row.carrier]
    if row.service is not None or row.month is not None:
        parts.append(row.service or row.month or "")
    if row.origin is not None or row.destination is not None:
        parts.append(f"{row.origin or '?'}→{row.destination or '?'}")
    return " ".join(parts)


def table(report: CarrierReport) -> Table:
    t = Table(
        title=f"Carrier performance by {report.by.value}" + (f" since {report.since}" if report.since else "")
    )
    for name in ("group", "ships", "deliv", "on time: promise", "on time: estimate", "transit bd p50/90/99"):
        t.add_column(name, justify="left" if name == "group" else "right")
    for name in ("lag h p50/90", "stalled", "lost/dmg", "exceptions", "open claims", "recovered"):
        t.add_column(name, justify="left" if name == "exceptions" else "right")
    for row in report.rows:
        transit, lag = row.transit_business_days, row.first_scan_lag_hours
        t.add_row(
            T(_group(row)),
            str(row.shipments),
            str(row.delivered),
            _percent(row.on_time_vs_promise),
            _percent(row.on_time_vs_estimate),
            "/".join(_blank(transit.percentile(p)) or "–" for p in (50, 90, 99)),
            "/".join(_blank(lag.percentile(p)) or "–" for p in (50, 90)),
            f"{row.stalled.count}",
            f"{row.lost_or_damaged.count}",
            T(_reasons(row).replace(" ", "\n")),
            f"{row.open_claims}\n{_amounts(row.open_claimed)}".strip(),
            _amounts(row.recovered),
        )
    return t


def cards(report: CarrierReport) -> list[Table]:
    found = []
    for row in report.rows:
        transit, lag = row.transit_business_days, row.first_scan_lag_hours
        card = Table(title=T(_group(row)), show_header=False, title_justify="left")
        card.add_column("measure")
        card.add_column("value", justify="right")
        card.add_row("shipments / delivered", f"{row.shipments} / {row.delivered}")
        card.add_row("on time vs promise", _percent(row.on_time_vs_promise).replace("\n", "  "))
        card.add_row("on time vs estimate", _percent(row.on_time_vs_estimate).replace("\n", "  "))
        card.add_row(
            "transit p50/p90/p99 (business days)",
            "/".join(_blank(transit.percentile(p)) or "–" for p in (50, 90, 99)),
        )
        card.add_row(
            "first-scan lag p50/p90 (hours)", "/".join(_blank(lag.percentile(p)) or "–" for p in (50, 90))
        )
        card.add_row("stalled", _share(row.stalled))
        card.add_row("lost or damaged", _share(row.lost_or_damaged))
        for reason, n in row.exceptions:
            card.add_row(T(f"exception: {reason}"), _share(Rate(n, row.shipments)))
        card.add_row("open claims", f"{row.open_claims}  {_amounts(row.open_claimed)}".strip())
        card.add_row("recovered", _amounts(row.recovered) or "–")
        found.append(card)
    return found


def _share(rate: Rate) -> str:
    return f"{rate.count} ({rate.rate:.0%})" if rate.rate is not None else str(rate.count)
