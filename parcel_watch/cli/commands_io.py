"""Bulk commands: import (our CSV format, see parcel_watch.importer) and export."""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from parcel_watch import importer
from parcel_watch.adding import Conflict, upsert
from parcel_watch.cli import output
from parcel_watch.cli.errors import ExitCode, InvalidInput
from parcel_watch.cli.session import open_store, run
from parcel_watch.exporter import JsonArrayWriter, csv_header, csv_rows, shipment_dict
from parcel_watch.textsafe import clean

BATCH_ROWS = 500  # rows parsed ahead of the database, and the progress update interval
MAX_REPORTED_ERRORS = 1000  # detailed row errors kept in memory; the rest are only counted
READ_CHUNK = 1 << 20


@dataclass
class ImportSummary:
    file: str
    delimiter: str = ","
    rows: int = 0
    added: int = 0
    updated: int = 0
    failed: int = 0
    errors: list[importer.RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def fail(self, error: importer.RowError) -> None:
        self.failed += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "delimiter": self.delimiter,  # one character; "\t" for tab
            "rows": self.rows,
            "added": self.added,
            "updated": self.updated,
            "failed": self.failed,
            "errors": [
                {"line": e.line, "column": p.column, "reason": p.reason}
                for e in self.errors
                for p in e.problems
            ],
            "errors_truncated": self.failed > len(self.errors),
            "ignored_columns": self.ignored_columns,
        }

    @property
    def exit_code(self) -> ExitCode:
        if not self.failed:
            return ExitCode.OK
        return ExitCode.PARTIAL if self.added + self.updated else ExitCode.INVALID


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(READ_CHUNK):
            yield chunk


def _file_error(path: str, reason: str, as_json: bool) -> int:
    if as_json:
        output.emit_json({"file": path, "error": reason, "rows": 0, "added": 0, "updated": 0, "failed": 0})
    output.error(f"{path}: {reason}", hint="nothing was imported")
    return ExitCode.INVALID


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        size = path.stat().st_size
        bad = importer.check_utf8(_chunks(path))  # a first streamed pass: fail before adding anything
    except OSError as exc:
        raise InvalidInput(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    if bad is not None:
        return _file_error(args.file, bad.reason, args.json)
    return run(_import(args, path, size))


async def _import(args: argparse.Namespace, path: Path, size: int) -> int:
    summary = ImportSummary(file=args.file)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    with handle:
        progress = Progress(
            TextColumn("importing"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=output.console(stderr=True),
            disable=not sys.stderr.isatty(),
            transient=True,
        )
        task = progress.add_task("import", total=max(size, 1))
        consumed = 0

        def lines() -> Iterator[str]:
            nonlocal consumed
            for line in handle:
                consumed += len(line.encode("utf-8", errors="replace"))
                yield line

        rows = importer.open_rows(lines())
        if isinstance(rows, importer.FileError):
            return _file_error(args.file, rows.reason, args.json)
        summary.delimiter = rows.delimiter
        summary.ignored_columns = rows.ignored
        with progress:
            async with open_store(args.db) as store:
                for item in rows:
                    summary.rows += 1
                    if isinstance(item, importer.RowError):
                        summary.fail(item)
                    else:
                        await _import_row(store, item, summary)
                    if summary.rows % BATCH_ROWS == 0:
                        progress.update(task, completed=consumed)
            progress.update(task, completed=size)
    _report_import(summary, args.json)
    return summary.exit_code


async def _import_row(store: Any, row: importer.ImportRow, summary: ImportSummary) -> None:
    try:
        outcome = await upsert(
            store, row.to_shipment(fill_from_detection=False), row.candidate, explicit=bool(row.carrier)
        )
    except Conflict as exc:
        problem = importer.Problem("carrier", f"{exc}; name the carrier in the carrier column")
        summary.fail(importer.RowError(row.line, (problem,)))
        return
    if outcome.created:
        summary.added += 1
    else:
        summary.updated += 1


def _report_import(summary: ImportSummary, as_json: bool) -> None:
    if as_json:
        output.emit_json(summary.to_json())
    for error in summary.errors:
        for p in error.problems:
            where = f"line {error.line}" + (f", column {p.column}" if p.column else "")
            output.message(f"{summary.file}: {where}: {p.reason}")
    if summary.failed > len(summary.errors):
        output.message(f"... and {summary.failed - len(summary.errors)} more failed rows")
    if summary.ignored_columns:
        output.note(f"ignored unknown columns: {', '.join(summary.ignored_columns)}")
    if summary.rows == 0:
        output.note("the file has a header but no rows")
    output.message(
        f"imported {summary.file}: {summary.added} added, {summary.updated} updated, "
        f"{summary.failed} failed (of {summary.rows} rows)"
    )


# -- export ------------------------------------------------------------------------------


class _FileWriter:
    """A file whose write errors (disk full, ...) are reported as such, not as database errors."""

    def __init__(self, f: TextIO, name: str) -> None:
        self.f, self.name = f, name

    def write(self, text: str) -> int:
        try:
            return self.f.write(text)
        except OSError as exc:
            raise InvalidInput(f"cannot write {self.name}: {exc.strerror or exc}") from exc


EXPORT_PAGE = 500  # shipments whose events are read in one query


@contextmanager
def _destination(target: str | None) -> Iterator[TextIO]:
    """stdout, or a file written atomically (a failed export leaves no half file behind)."""
    if target is None or target == "-":
        yield sys.stdout
        return
    path = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror or exc}") from exc
    written = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            yield _FileWriter(f, target)  # type: ignore[misc]
            written = True
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if written and isinstance(exc, OSError):  # flushing or renaming failed
            raise InvalidInput(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise


def cmd_export(args: argparse.Namespace) -> int:
    return run(_export(args))


async def _export(args: argparse.Namespace) -> int:
    personal = args.include_personal
    to_terminal = (args.output is None or args.output == "-") and sys.stdout.isatty()
    count = 0
    async with open_store(args.db) as store:
        shipments = await store.list()
        with _destination(args.output) as out:
            # RFC 4180 line ends: the writer then quotes any field holding \r or \n (with "\n" it would not).
            writer = csv.writer(out, lineterminator="\r\n") if args.format == "csv" else None
            array = JsonArrayWriter(out) if writer is None else None
            if writer is not None:
                writer.writerow(csv_header())
            for start in range(0, len(shipments), EXPORT_PAGE):
                page = shipments[start : start + EXPORT_PAGE]
                timelines = await store.timelines([s.id for s in page if s.id is not None])
                for shipment in page:
                    events = timelines.get(shipment.id, []) if shipment.id is not None else []
                    if writer is not None:
                        rows = csv_rows(shipment, events, include_personal=personal)
                        if to_terminal:  # CSV has no escaping: carrier text must not drive the terminal
                            rows = [[clean(cell, keep_newlines=True) for cell in row] for row in rows]
                        writer.writerows(rows)
                    elif array is not None:
                        array.add(shipment_dict(shipment, events, include_personal=personal))
                    count += 1
            if array is not None:
                array.close()
    where = f" to {args.output}" if args.output and args.output != "-" else ""
    redacted = "" if personal else " (personal data redacted; --include-personal keeps it)"
    output.message(f"exported {count} shipment{'' if count == 1 else 's'}{where}{redacted}")
    return ExitCode.OK
