"""Writing an import's rows to the store, a batch at a time, and counting what happened.

Per batch: one read of what is stored for its numbers. A row whose shipment is not stored
is inserted with the batch's other new shipments in one transaction; a row that says only
what is stored is unchanged (nothing written); a row repeating an earlier row of the file is
a duplicate and the first row's shipment is kept, on every run alike (the rows read so far
are remembered in a temporary SQLite file: exact, and memory does not grow). Anything
else (a changed field, a carrier chosen over a guess, a number stored for several carriers)
goes through ``parcel_watch.adding.upsert``, one row at a time, as ``add`` does.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parcel_watch import importer
from parcel_watch.adding import Conflict, upsert
from parcel_watch.cli.errors import ExitCode
from parcel_watch.model import Shipment
from parcel_watch.store.imports import insert_new, stored_for

if TYPE_CHECKING:
    from parcel_watch.store import Store

BATCH_ROWS = 500
MAX_REPORTED = 1000  # detailed row errors and duplicates kept in memory; the rest are counted


# What a row may say about a shipment; a row saying only what is stored changes nothing.
_DESCRIPTIVE = (
    "label",
    "order_ref",
    "service",
    "origin_country",
    "destination_country",
    "ship_date",
    "promised_delivery",
    "declared_value",
    "weight_kg",
)


@dataclass
class ImportSummary:
    file: str
    format: str = "parcel-watch"
    delimiter: str = ","
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    not_shipped: int = 0
    duplicates: int = 0
    errors: list[importer.RowError] = field(default_factory=list)
    duplicate_lines: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)

    def fail(self, error: importer.RowError) -> None:
        self.failed += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(error)

    def duplicate(self, line: int, number: str) -> None:
        self.duplicates += 1
        if len(self.duplicate_lines) < MAX_REPORTED:
            self.duplicate_lines.append((line, number))

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "delimiter": self.delimiter,  # one character; "\t" for tab
            "rows": self.rows,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "duplicates": self.duplicates,
            "not_shipped": self.not_shipped,
            "errors": [
                {"line": e.line, "column": p.column, "reason": p.reason}
                for e in self.errors
                for p in e.problems
            ],
            "errors_truncated": self.failed > len(self.errors),
            "duplicate_rows": [{"line": line, "tracking_number": n} for line, n in self.duplicate_lines],
            "ignored_columns": self.ignored_columns,
            "notes": self.notes,
        }

    @property
    def exit_code(self) -> ExitCode:
        if not self.failed:
            return ExitCode.OK
        return ExitCode.PARTIAL if self.added + self.updated + self.unchanged else ExitCode.INVALID


def says_nothing_new(stored: Shipment, row: Shipment) -> bool:
    """Whether storing ``row`` over ``stored`` would change nothing (empty = keep)."""
    if row.carrier_source.strength > stored.carrier_source.strength:
        return False
    return all(
        getattr(row, name) is None or getattr(row, name) == getattr(stored, name) for name in _DESCRIPTIVE
    )


class SeenRows:
    """The (number, carrier) of every row read so far, kept in a temporary SQLite file."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="parcel-watch-import-")
        self._db = sqlite3.connect(Path(self._dir.name, "seen.db"))
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE seen (number TEXT, carrier TEXT, PRIMARY KEY (number, carrier)) WITHOUT ROWID;"
        )

    def first_time(self, number: str, carrier: str) -> bool:
        """Whether no earlier row had this key (it is remembered now)."""
        return self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (number, carrier)).rowcount == 1

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()


class BatchWriter:
    """Rows in, counts out (in ``summary``); ``flush()`` after the last row, then ``close()``."""

    def __init__(self, store: Store, summary: ImportSummary, now: datetime) -> None:
        self.store, self.summary, self.now = store, summary, now
        self.pending: list[importer.ImportRow] = []
        self.seen = SeenRows()

    async def add(self, row: importer.ImportRow) -> None:
        self.pending.append(row)
        if len(self.pending) >= BATCH_ROWS:
            await self.flush()

    def close(self) -> None:
        self.seen.close()

    async def flush(self) -> None:
        rows, self.pending = self.pending, []
        stored = await stored_for(self.store, sorted({r.tracking_number for r in rows}))
        new: dict[str, Shipment] = {}  # by number: this batch's inserts
        one_by_one: list[importer.ImportRow] = []
        for row in rows:
            if not self.seen.first_time(row.tracking_number, row.carrier or ""):
                self.summary.duplicate(row.line, row.tracking_number)
                continue
            shipment = row.to_shipment(fill_from_detection=False)
            existing = stored.get(row.tracking_number, [])
            if row.tracking_number in new:
                if new[row.tracking_number].carrier == shipment.carrier:
                    self.summary.duplicate(row.line, row.tracking_number)
                else:
                    one_by_one.append(row)  # after this batch's inserts are stored
                continue
            if not existing:
                new[row.tracking_number] = row.to_shipment(fill_from_detection=True)
                continue
            if row.carrier:
                target = next((s for s in existing if s.carrier == row.carrier), None)
            else:
                target = existing[0] if len(existing) == 1 else None
            if target is not None and says_nothing_new(target, shipment):
                self.summary.unchanged += 1
            else:
                one_by_one.append(row)
        await insert_new(self.store, list(new.values()), self.now)
        self.summary.added += len(new)
        for row in one_by_one:
            await self._upsert(row)

    async def _upsert(self, row: importer.ImportRow) -> None:
        shipment = row.to_shipment(fill_from_detection=False)
        try:
            outcome = await upsert(self.store, shipment, row.candidate, explicit=bool(row.carrier))
        except Conflict as exc:
            problem = importer.Problem("carrier", f"{exc}; name the carrier in the carrier column")
            self.summary.fail(importer.RowError(row.line, (problem,)))
            return
        if outcome.created:
            self.summary.added += 1
        else:
            self.summary.updated += 1
