"""``parcel-watch anomalies``: evaluate the anomaly rules on what changed, then list them;
``parcel-watch return``: link a return to the shipment it sends back (``refund_overdue``)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from claims.evaluation import EvaluationResult, StoredAnomaly, evaluate, open_anomalies
from claims.model import AnomalyKind
from claims.rules.refund import REGIMES
from claims.rules.thresholds import ThresholdError, ThresholdTable
from parcel_watch.cli import output
from parcel_watch.cli.errors import CliError, ExitCode, InvalidInput, NotFound
from parcel_watch.cli.session import open_store, run
from parcel_watch.config import config_file_path
from parcel_watch.detect import normalize_number

T = output.T


def kind_option(value: str | None) -> AnomalyKind | None:
    if value is None:
        return None
    try:
        return AnomalyKind(value.strip().lower().replace("-", "_"))
    except ValueError:
        known = ", ".join(k.value for k in AnomalyKind)
        raise InvalidInput(f'unknown anomaly kind "{value}"; known kinds: {known}') from None


def _thresholds() -> ThresholdTable:
    try:
        return ThresholdTable.load(config_file_path())
    except ThresholdError as exc:
        raise CliError(f"bad rules configuration: {exc}", code=ExitCode.DATABASE) from exc


def cmd_anomalies(args: argparse.Namespace) -> int:
    kind = kind_option(args.kind)
    return run(_anomalies(args, kind, _thresholds()))


async def _anomalies(args: argparse.Namespace, kind: AnomalyKind | None, table: ThresholdTable) -> int:
    async with open_store(args.db) as store:
        result = await evaluate(store, datetime.now(UTC), thresholds=table)
        found = await open_anomalies(store, kind=kind, include_resolved=args.all)
    output.message(_summary(result))
    if args.json:
        output.emit_json([anomaly_dict(a) for a in found])
        return ExitCode.OK
    if not found:
        output.message("No anomalies." if args.all else "No open anomalies.")
        return ExitCode.OK
    output.console().print(_table(found, with_state=args.all))
    return ExitCode.OK


def _summary(result: EvaluationResult) -> str:
    return (
        f"evaluated {result.evaluated_shipments} shipment(s): {result.opened} opened, "
        f"{result.updated} updated, {result.resolved} resolved"
    )


def anomaly_dict(a: StoredAnomaly) -> dict[str, Any]:
    return {
        "id": a.id,
        "shipment": {
            "id": a.shipment_id,
            "tracking_number": a.tracking_number,
            "carrier": a.carrier,
            "label": a.label,
        },
        "kind": a.kind.value,
        "state": a.state.value,
        "since": a.since.isoformat(),
        "opened_at": a.opened_at.isoformat(),
        "resolved_at": a.resolved_at.isoformat() if a.resolved_at else None,
        "details": a.details,
        "evidence": list(a.evidence),
    }


def _details(details: dict[str, str | int | None]) -> str:
    return ", ".join(f"{key}={value}" for key, value in details.items() if value is not None)


def _table(found: list[StoredAnomaly], *, with_state: bool) -> Table:
    table = Table()
    columns = ["Tracking number", "Carrier", "Label", "Kind", "Since"]
    columns += ["State"] if with_state else []
    for column in (*columns, "Details"):
        table.add_column(column)
    for a in found:
        cells = [T(a.tracking_number), T(a.carrier), T(a.label), T(a.kind.value), T(output.utc(a.since))]
        cells += [T(a.state.value)] if with_state else []
        table.add_row(*cells, T(_details(a.details)))
    return table


def cmd_return(args: argparse.Namespace) -> int:
    regime = args.regime.lower() if args.regime else None
    if regime is not None and regime not in REGIMES:
        raise InvalidInput(f'unknown refund regime "{args.regime}"; known: {", ".join(REGIMES)}')
    received = _instant(args.refund_received) if args.refund_received else None
    return run(_return(args, normalize_number(args.number), normalize_number(args.of), regime, received))


def _instant(text: str) -> datetime:
    """An ISO date (its start, UTC) or date and time (UTC unless it says otherwise)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f'"{text}" is not a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM)') from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def _return(
    args: argparse.Namespace, number: str, original: str, regime: str | None, received: datetime | None
) -> int:
    async with open_store(args.db) as store:
        found = await store.find(number)
        sent = await store.find(original)
        if len(found) != 1 or len(sent) != 1:
            missing = number if len(found) != 1 else original
            many = len(found) > 1 or len(sent) > 1
            why = "is stored for several carriers" if many else "is not stored"
            raise NotFound(f"{missing} {why}", hint="see: parcel-watch list")
        update = {"return_of": sent[0].id, "refund_regime": regime, "refund_received_at": received}
        await store.add(found[0].model_copy(update={k: v for k, v in update.items() if v is not None}))
    refund = f"refund received {received.date().isoformat()}" if received else "refund not received yet"
    output.message(f"{number} is the return of {original}; {refund}")
    return ExitCode.OK
