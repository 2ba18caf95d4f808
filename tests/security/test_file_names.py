"""File names are generated, never taken from carrier or user data: payload fields, carrier
names, services and descriptions shaped like paths (``../../etc/passwd``, ``..\\x``, absolute
paths) write nothing outside the output directory — evidence packs (CLI and dashboard), the
guarantee sweep's batch (refund CSVs named after the operator) and saved letters."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from claims import guarantee_sweep, lifecycle
from claims.evidence import verify_pack
from claims.guarantee_batch import csv_name, write_batch
from claims.outbox import export_pack, save_letter
from parcel_watch.model import Location, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, RawPayload, Store
from tests.claims.sweep_builders import delivered_parcel

NOW = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
PATHS = ("../../etc/passwd", "..\\x", "/tmp/parcel-watch-abs", "packs/../../../y", "C:\\Windows\\z")
NUMBERS = tuple(f"1ZA1NDA0000000001{n}" for n in range(len(PATHS)))  # one parcel per path
# Every name a pack or batch may hold: fixed, or made of ids, dates, hashes and slugs.
GENERATED = re.compile(
    r"(sweep\.json|refund-requests-([a-z0-9_-]+|other-[0-9a-f]{12})\.csv"
    r"|packs/claim-\d+/(manifest\.json|claim\.json|timeline\.csv|draft\.(en|zh)\.(txt|md)"
    r"|payloads/\d{3}-[0-9a-f]{12}\.(json|xml|bin)))"
)


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


async def hostile_parcels(store: Store) -> None:
    """A late guaranteed delivery per path, whose service, places and payloads are that path."""
    for number, path in zip(NUMBERS, PATHS, strict=True):
        await delivered_parcel(
            store, number, "ups", service=f"UPS Next Day Air {path}", shipped=date(2026, 3, 2),
            promised=date(2026, 3, 3), delivered=date(2026, 3, 5), shipping_cost="20.00",
            description=f"Delivered {path}", now=NOW,
        )  # fmt: skip
        late = TrackingEvent(
            occurred_at=datetime(2026, 3, 5, 17, tzinfo=UTC),
            status=Status.DELIVERED,
            carrier_code="POD",
            description=f"Proof of delivery {path}",
            location=Location(city=path, country="US"),
        )
        body = json.dumps(
            {"proofOfDelivery": {"fileName": path, "imageUrl": "file:///etc/passwd", "attachments": PATHS}}
        ).encode()
        payload = RawPayload(
            path, body, received_at=late.occurred_at, content_type=f"application/json; name={path}"
        )
        await store.ingest(
            [IngestItem([ShipmentUpdate(carrier="ups", tracking_number=number, events=(late,))], payload)]
        )


async def test_the_sweep_batch_and_its_packs_write_only_generated_names_inside_the_output(
    store: Store, tmp_path: Path
) -> None:
    await hostile_parcels(store)
    items = guarantee_sweep.select(await guarantee_sweep.load(store, NOW, by="tester"), NOW).items
    assert {i.tracking_number for i in items} == set(NUMBERS)
    # The operator falls back to the shipment's carrier name, which a payload may set.
    hostile = tuple(
        replace(i, operator=p) for i, p in zip(sorted(items, key=lambda i: i.claim_id), PATHS, strict=True)
    )
    out = tmp_path / "deep" / "er" / "out"
    before = files_under(tmp_path)
    result = await write_batch(store, out, hostile, now=NOW, include_personal=True)
    written = files_under(tmp_path) - before
    assert written and all(p.is_relative_to(out) for p in written)
    names = sorted(p.relative_to(out).as_posix() for p in written)
    assert [n for n in names if not GENERATED.fullmatch(n)] == []
    assert len({p.name for p in result.csv_files}) == len(PATHS)  # one per operator: none overwritten
    assert all(p.parent == out for p in result.csv_files)
    payloads = [n for n in names if "/payloads/" in n]
    assert len(payloads) >= len(PATHS)  # the path-shaped payloads are in the packs, under generated names
    for claim_id in result.packs_written:
        assert verify_pack(out / "packs" / f"claim-{claim_id}").ok
    assert not Path("/tmp/parcel-watch-abs").exists()


def test_a_refund_csv_name_is_never_a_path() -> None:
    for operator in PATHS:
        name = csv_name(operator)
        assert "/" not in name and "\\" not in name and ".." not in name, name
        assert re.fullmatch(r"refund-requests-other-[0-9a-f]{12}\.csv", name)
    assert csv_name("ups") == "refund-requests-ups.csv"
    assert len({csv_name(p) for p in PATHS}) == len(PATHS)


async def test_dashboard_packs_and_saved_letters_are_named_by_claim_id(store: Store, tmp_path: Path) -> None:
    await hostile_parcels(store)
    items = guarantee_sweep.select(await guarantee_sweep.load(store, NOW, by="tester"), NOW).items
    export_dir = tmp_path / "exports"
    before = files_under(tmp_path)
    for item in items:
        result = await export_pack(store, export_dir, item.claim_id, NOW + timedelta(minutes=1))
        assert result.directory.parent == export_dir
        assert re.fullmatch(rf"claim-{item.claim_id}-\d{{8}}T\d{{6}}Z", result.directory.name)
        path, _ = save_letter(export_dir, await lifecycle.get(store, item.claim_id), "en")
        assert path == export_dir / f"claim-{item.claim_id}.en.txt"
    written = files_under(tmp_path) - before
    assert written and all(p.is_relative_to(export_dir) for p in written)
