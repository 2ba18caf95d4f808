"""Targets for everything else from outside: tracking-number detection, the CSV import and its
value parsers, the config file, the claim facts form, dates/clock/money/rate parsers,
carrier text (terminal safety, damage and duties, redaction) and stored-payload redaction.

Each documents its errors (ValueError subclasses with a message for the user); a target
accepts exactly those and nothing else.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st

from fuzzing import mutate
from fuzzing.target import FIXTURES, ROOT, Errors, Run, Target, text

SEP = mutate.SEP
IMPORTS = FIXTURES / "imports"
DETECT_TEXTS = ROOT / "tests" / "detect" / "data"


def _numbers() -> list[str]:
    from parcel_watch.detect.spec import formats

    return [n for f in formats() for n in (*f.valid[:2], *f.invalid[:1])]


def _load_detect_number() -> tuple[Run, Errors]:
    from parcel_watch.detect import InvalidTrackingNumber, best, carriers, detect, require_valid

    slugs = [slug for slug, _ in carriers()]

    def run(data: bytes) -> None:
        raw = text(data)
        for candidate in detect(raw):
            json.dumps(candidate.to_dict())
        best(raw)
        try:
            require_valid(raw)
        finally:
            require_valid(raw, slugs[len(data) % len(slugs)])

    return run, (InvalidTrackingNumber,)


def _load_detect_text() -> tuple[Run, Errors]:
    from parcel_watch.detect import extract

    return (lambda data: extract(text(data))), ()


def _texts() -> list[str]:
    return [p.read_text("utf-8") for p in sorted(DETECT_TEXTS.glob("*.txt"))]


def _csv_docs() -> list[str]:
    ours = "tracking_number,carrier,label,ship_date,declared_value,currency,weight_kg,origin_country\n"
    ours += "1Z5R89390357567127,ups,gift,2026-01-02,12.50,EUR,1.5,DE\nRB123456785GB,,,,,,,\n"
    return [ours, *(p.read_text("utf-8") for p in sorted(IMPORTS.iterdir()) if p.suffix in (".csv", ".txt"))]


def _read_lines(data: bytes) -> io.StringIO | None:
    """The file as the import command reads it: checked as UTF-8 in chunks first."""
    from parcel_watch import importer

    if importer.check_utf8(data[i : i + 4096] for i in range(0, len(data), 4096)) is not None:
        return None
    return io.StringIO(data.decode("utf-8"), newline="")


def _load_import_csv() -> tuple[Run, Errors]:
    from parcel_watch import importer

    def run(data: bytes) -> None:
        lines = _read_lines(data)
        rows = importer.open_rows(lines) if lines is not None else None
        if isinstance(rows, importer.CsvRows):
            for row in rows:
                if isinstance(row, importer.ImportRow):
                    row.to_shipment()

    return run, ()


def _load_import_preset() -> tuple[Run, Errors]:
    from parcel_watch import import_mapping, importer

    mappings = list(import_mapping.PRESETS.values())
    custom = mappings[0].with_overrides(
        {"tracking_number": "Tracking", "service_days": "Days"}, "DD/MM/YYYY", "EUR"
    )
    mappings.append(custom)

    def run(data: bytes) -> None:
        lines = _read_lines(data)
        rows = import_mapping.open_mapped(lines, mappings[len(data) % len(mappings)]) if lines else None
        if isinstance(rows, import_mapping.MappedRows):
            for row in rows:
                if isinstance(row, importer.ImportRow):
                    row.to_shipment()

    return run, ()


def _load_import_values() -> tuple[Run, Errors]:
    from parcel_watch import import_mapping, import_values, importer

    known = frozenset({"ups", "dhl", "usps", "fedex"})
    one_arg: list[Callable[[str], object]] = [
        importer.parse_date, importer.parse_country, importer.parse_currency, importer.parse_decimal,
        importer.parse_weight, importer.parse_carrier, importer.header_name, import_values.parse_days,
        import_values.parse_money_text, import_values.parse_country_name, import_values.split_numbers,
        import_values.strptime_format, import_mapping.parse_map, lambda v: import_values.carrier_slug(v, known),
        lambda v: import_values.parse_date_as(v, ()),
    ]  # fmt: skip

    def run(data: bytes) -> None:
        value, _, spec = text(data).partition(SEP)
        for parse in one_arg:
            try:
                parse(value)
            except ValueError:
                pass
        try:
            import_values.parse_money_text(value, spec or None)
            importer.parse_money(value, spec)
        except ValueError:
            pass
        fmt = import_values.strptime_format(spec or "DD/MM/YYYY")
        import_values.readable_format(fmt)
        import_values.parse_date_as(value, (fmt,))

    return run, (ValueError,)


def _value_seeds() -> list[str]:
    return [
        "2026-01-02",
        "12,50 €",
        "$1,234.56",
        "Germany",
        "DD/MM/YYYY",
        "MMM-DD-YY",
        "1Z5R89390357567127, 1Z",
    ]


def _load_config() -> tuple[Run, Errors]:
    from claims.rules.thresholds import ThresholdError, ThresholdTable
    from parcel_watch.config import ConfigError, normalize_database_url, sqlite_path
    from parcel_watch.notify_config import NotifyConfigError, NotifySettings

    folder = Path(tempfile.mkdtemp(prefix="fuzz-config-"))
    path = folder / "config.toml"

    def run(data: bytes) -> None:
        path.write_bytes(data)
        os.chmod(path, 0o600)
        try:  # each loader on its own, so one's crash does not hide the other's
            table = ThresholdTable.load(path)
            table.lookup("dhl", "Express", "CN", "DE")
            table.lookup("UPS", None, None, None).minute_precision("Next Day Air")
        except ThresholdError:
            pass
        try:
            NotifySettings.load(path, env={})
        except NotifyConfigError:
            pass
        sqlite_path(normalize_database_url(text(data.partition(b"\n")[0])))

    return run, (ThresholdError, NotifyConfigError, ConfigError)


def _config_seeds() -> list[bytes]:
    return [
        (
            b'[rules]\nstalled_business_days = 5\n[[rules.override]]\ncarrier = "dhl"\nservice = "express"\n'
            b'lane = "CN-DE"\nstalled_business_days = 7\nto_the_minute = true\n'
        ),
        (
            b'[notify]\nurls = ["ntfy://ntfy.sh/x"]\nquiet_hours = "22:00-07:00"\ntime_zone = "Europe/Berlin"\n'
            b'deadline_days = [7, 1]\n[[notify.route]]\nkinds = ["delivered"]\nurls = ["mailto://a:b@c.d"]\n'
            b'digest = "08:00"\n'
        ),
        b'notify = ["json://localhost"]\n',
        b"postgresql://u:p@h/db\n",
    ]


def _config_strategy() -> st.SearchStrategy[bytes]:
    lines = [s.decode() for seed in _config_seeds() for s in seed.split(b"\n") if s]
    return mutate.text_pieces([*lines, "\n", " = ", "[rules]\n", "[[rules.override]]\n"], max_repeat=50)


def _load_facts_form() -> tuple[Run, Errors]:
    from claims.facts import FactsError, checked
    from claims.facts_form import FIELDS, facts_from_form, form_values
    from claims.model import ClaimFacts

    names = [f.name for f in FIELDS]

    def run(data: bytes) -> None:
        values = dict(zip(names, text(data).split(SEP), strict=False))
        facts = checked(facts_from_form(ClaimFacts(), values))
        again = facts_from_form(ClaimFacts(), form_values(facts))
        if again != facts:
            raise AssertionError(f"the form does not round-trip: {facts} != {again}")

    return run, (FactsError,)


def _form_seeds() -> list[str]:
    return ["120.00 EUR", "EUR 120,00", "9.90EUR", "1.2", "2026-01-02", "Shop", "eBay", "invoice, photos"]


def _load_times() -> tuple[Run, Errors]:
    from carriers.http import retry_after_seconds
    from carriers.timeutil import parse_iso
    from claims.sdr import RateFileError, parse_csv, parse_json
    from parcel_watch.cli.commands_sweep import _since
    from parcel_watch.cli.errors import CliError
    from parcel_watch.notify_schedule import QuietHours, ScheduleError, parse_clock

    def run(data: bytes) -> None:
        value = text(data)
        for parse in (parse_clock, QuietHours.parse, _since, parse_iso):
            try:
                parse(value)
            except (ScheduleError, CliError, ValueError):
                pass
        try:
            parse_json(value)
        except RateFileError:
            pass
        retry_after_seconds(value)  # a carrier's Retry-After header: None when unreadable
        parse_csv(value, "fuzz")

    return run, (RateFileError,)


def _time_seeds() -> list[str]:
    return [
        "22:00-07:00", "08:00", "2026-01-02", "2026-01-02T10:00:00Z", "Wed, 21 Oct 2015 07:28:00 GMT", "120",
        '{"rates": [{"date": "2026-01-02", "source": "IMF", "units_per_sdr": {"USD": "1.3687"}}]}',
        "date,currency,units_per_sdr\n2026-01-02,USD,1.3687\n",
    ]  # fmt: skip


def _load_carrier_text() -> tuple[Run, Errors]:
    from claims.rules.text import duties_notice, text_facts
    from parcel_watch.redact import redact
    from parcel_watch.textsafe import clean, for_terminal

    def run(data: bytes) -> None:
        value = text(data)
        clean(value)
        clean(value, keep_newlines=True)
        for_terminal(value)
        text_facts(value)
        duties_notice(value)
        redact(value)

    return run, ()


def _carrier_text_seeds() -> list[str]:
    return [
        "Package damaged, repacked", "Import duties of EUR 12,50 due by 10.03.2026", "关税 ¥120 2026年3月10日",
        "Delivered, signed by J. SMITH", "Call +49 30 1234567 or mail a@b.de", "\x1b[31mred\x1b[0m [bold]x[/]",
    ]  # fmt: skip


def _load_payload_redaction() -> tuple[Run, Errors]:
    from claims.redaction import export_payload

    kinds = ["application/json", "text/xml", "", "application/octet-stream"]

    def run(data: bytes) -> None:
        export_payload(data, kinds[len(data) % len(kinds)], include_personal=False)

    return run, ()


def _payload_seeds() -> list[bytes]:
    return [
        p.read_bytes() for p in sorted((FIXTURES / "carriers").glob("*/*")) if ".expected." not in p.name
    ][:40]


def _payload_strategy() -> st.SearchStrategy[bytes]:
    seeds = _payload_seeds()
    docs = [json.loads(s) for s in seeds if s.lstrip()[:1] in (b"{", b"[")]
    return st.one_of(
        mutate.mutated_json(docs), mutate.mutated_xml([s for s in seeds if s.lstrip()[:1] == b"<"])
    )


def _encoded(seeds: list[str]) -> list[bytes]:
    return [s.encode() for s in seeds]


def value_targets() -> list[Target]:
    def texts(seeds: object, max_repeat: int = 2000) -> st.SearchStrategy[bytes]:
        return mutate.text_pieces(seeds() if callable(seeds) else seeds, max_repeat)  # type: ignore[arg-type]

    return [
        Target("detect-number", _load_detect_number, lambda: _encoded(_numbers()), lambda: texts(_numbers, 20),
               about="detect, best, require_valid"),
        Target("detect-text", _load_detect_text, lambda: _encoded(_texts()), lambda: texts(_texts, 30),
               about="extract from pasted text"),
        Target("import-csv", _load_import_csv, lambda: _encoded(_csv_docs()),
               lambda: mutate.mutated_csv(_csv_docs()), about="importer: check_utf8, open_rows, to_shipment"),
        Target("import-preset", _load_import_preset, lambda: _encoded(_csv_docs()),
               lambda: mutate.mutated_csv(_csv_docs()), about="import_mapping presets and --map"),
        Target("import-values", _load_import_values, lambda: _encoded(_value_seeds()),
               lambda: mutate.fields(2, _value_seeds()), about="import_values, importer value parsers"),
        Target("config-file", _load_config, _config_seeds, _config_strategy,
               about="rules thresholds, notify settings, database URL"),
        Target("facts-form", _load_facts_form, lambda: _encoded([SEP.join(_form_seeds())]),
               lambda: mutate.fields(8, _form_seeds()), about="claims.facts_form"),
        Target("dates-rates", _load_times, lambda: _encoded(_time_seeds()), lambda: texts(_time_seeds, 50),
               about="clock, quiet hours, ISO dates, --since, SDR rate files, Retry-After"),
        Target("carrier-text", _load_carrier_text, lambda: _encoded(_carrier_text_seeds()),
               lambda: texts(_carrier_text_seeds, 5000), about="textsafe, damage/duties text, redact"),
        Target("payload-redaction", _load_payload_redaction, _payload_seeds, _payload_strategy,
               about="claims.redaction.export_payload"),
    ]  # fmt: skip
