"""Bulk commands: export (import is in commands_import)."""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from parcel_watch.cli import output
from parcel_watch.cli.errors import ExitCode, InvalidInput
from parcel_watch.cli.session import open_store, run
from parcel_watch.exporter import JsonArrayWriter, csv_header, csv_rows, shipment_dict
from parcel_watch.textsafe import clean

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
