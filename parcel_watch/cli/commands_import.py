"""``parcel-watch import``: our CSV format (parcel_watch.importer) or a merchant's export read
through a preset or a column mapping (parcel_watch.import_mapping).

The file is streamed: rows go to the store in batches as they are read
(``import_batches``), so memory does not grow with the file. A file in another encoding, or
missing a required column, fails before anything is stored.
"""

from __future__ import annotations

import argparse
import codecs
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from parcel_watch import import_mapping, importer
from parcel_watch.cli import output
from parcel_watch.cli.errors import ExitCode, InvalidInput
from parcel_watch.cli.import_batches import BatchWriter, ImportSummary
from parcel_watch.cli.session import open_store, run

PROGRESS_ROWS = 500  # progress update interval
READ_CHUNK = 1 << 20


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(READ_CHUNK):
            yield chunk


def check_decodes(chunks: Iterable[bytes], encoding: str) -> importer.FileError | None:
    """Whether a byte stream is text in ``encoding``, read incrementally; names the line."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    for chunk in _with_end(chunks):
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            line += bytes(exc.object).count(b"\n", 0, exc.start)
            return importer.FileError(f"the file is not {encoding} text (line {line})")
        line += chunk.count(b"\n")
    return None


def _with_end(chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield from chunks
    yield b""


def _file_error(path: str, reason: str, as_json: bool, hint: str = "nothing was imported") -> int:
    if as_json:
        output.emit_json({"file": path, "error": reason, "rows": 0, "added": 0, "updated": 0, "failed": 0})
    output.error(f"{path}: {reason}", hint=hint)
    return ExitCode.INVALID


def mapping_from(args: argparse.Namespace) -> import_mapping.Mapping | None:
    """The mapping --preset/--map/--date-format/--currency describe; None: our own format."""
    columns: dict[str, str] = {}
    try:
        for text in args.map or ():
            columns.update(import_mapping.parse_map(text))
    except ValueError as exc:
        raise InvalidInput(f"--map: {exc}") from exc
    if args.preset is None and not columns:
        if args.date_format or args.currency:
            raise InvalidInput("--date-format and --currency apply with --preset or --map")
        return None
    base = import_mapping.PRESETS[args.preset] if args.preset else import_mapping.Mapping("custom", {})
    if "tracking_number" not in base.columns and "tracking_number" not in columns:
        raise InvalidInput("--map must name the tracking number's column (tracking=Column Name)")
    try:
        return base.with_overrides(columns, args.date_format, args.currency)
    except ValueError as exc:
        raise InvalidInput(f"--date-format: {exc}") from exc


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    mapping = mapping_from(args)
    encoding = args.encoding or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput(f"--encoding: unknown encoding {encoding!r} (e.g. utf-8, cp1252, gbk)") from None
    try:
        size = path.stat().st_size
        # A first streamed pass: a file in another encoding fails before anything is added.
        if args.encoding:
            bad = check_decodes(_chunks(path), encoding)
        else:
            bad = importer.check_utf8(_chunks(path))
    except OSError as exc:
        raise InvalidInput(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    if bad is not None:
        hint = "nothing was imported; name the file's encoding with --encoding (e.g. cp1252, gbk)"
        return _file_error(args.file, bad.reason, args.json, hint)
    return run(_import(args, path, size, mapping, encoding))


async def _import(
    args: argparse.Namespace, path: Path, size: int, mapping: import_mapping.Mapping | None, encoding: str
) -> int:
    summary = ImportSummary(file=args.file, format=mapping.name if mapping else "parcel-watch")
    try:
        handle = path.open(encoding=encoding, newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    with handle:
        consumed = 0

        def lines() -> Iterator[str]:
            nonlocal consumed
            for line in handle:
                consumed += len(line.encode(encoding, errors="replace"))
                yield line

        rows: importer.CsvRows | import_mapping.MappedRows | importer.FileError
        rows = (
            importer.open_rows(lines()) if mapping is None else import_mapping.open_mapped(lines(), mapping)
        )
        if isinstance(rows, importer.FileError):
            return _file_error(args.file, rows.reason, args.json)
        summary.delimiter = rows.delimiter
        if isinstance(rows, importer.CsvRows):
            summary.ignored_columns = rows.ignored
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
        with progress:
            async with open_store(args.db) as store:
                writer = BatchWriter(store, summary, datetime.now(UTC))
                try:
                    for item in rows:
                        if isinstance(item, import_mapping.NotShipped):
                            summary.not_shipped += 1
                            continue
                        summary.rows += 1
                        if isinstance(item, importer.RowError):
                            summary.fail(item)
                        else:
                            await writer.add(item)
                        if summary.rows % PROGRESS_ROWS == 0:
                            progress.update(task, completed=consumed)
                    await writer.flush()
                finally:
                    writer.close()
            progress.update(task, completed=size)
        if isinstance(rows, import_mapping.MappedRows):
            summary.notes = dict(rows.notes)
    _report_import(summary, args.json)
    return summary.exit_code


def _report_import(summary: ImportSummary, as_json: bool) -> None:
    if as_json:
        output.emit_json(summary.to_json())
    for error in summary.errors:
        for p in error.problems:
            where = f"line {error.line}" + (f", column {p.column}" if p.column else "")
            output.message(f"{summary.file}: {where}: {p.reason}")
    if summary.failed > len(summary.errors):
        output.message(f"... and {summary.failed - len(summary.errors)} more failed rows")
    for line, number in summary.duplicate_lines:
        output.note(f"{summary.file}: line {line}: duplicate row ({number} was in an earlier row; kept once)")
    if summary.duplicates > len(summary.duplicate_lines):
        output.note(f"... and {summary.duplicates - len(summary.duplicate_lines)} more duplicate rows")
    for what, count in summary.notes.items():
        output.note(f"{count} {what}")
    if summary.ignored_columns:
        output.note(f"ignored unknown columns: {', '.join(summary.ignored_columns)}")
    if summary.rows == 0 and not summary.not_shipped:
        output.note("the file has a header but no rows")
    extra = "".join(
        f", {count} {what}"
        for count, what in ((summary.duplicates, "duplicate"), (summary.not_shipped, "not shipped yet"))
        if count
    )
    output.message(
        f"imported {summary.file}: {summary.added} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} failed{extra} (of {summary.rows} rows)"
    )
