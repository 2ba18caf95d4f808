"""What leaves the dashboard for a claim: the letter as a file, and evidence packs that
verify, each in a folder of its own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from claims import lifecycle
from claims.claiming import draft_open_claims
from claims.evidence import verify_pack
from claims.lifecycle import StoredClaim
from claims.outbox import export_pack, letter_text, new_pack_dir, save_letter
from claims.redaction import PayloadExport
from parcel_watch.model import Shipment
from parcel_watch.status import Status
from parcel_watch.store import Store
from tests.factories import T0, event, item, update

NOW = T0 + timedelta(days=20)


async def _damaged_claim(store: Store) -> StoredClaim:
    await store.add(Shipment(tracking_number="819482199352", carrier="fedex", label="Camera"))
    await store.ingest(
        [
            item(
                update(
                    "819482199352",
                    event(0, Status.INFO_RECEIVED, "OC", text="Label created"),
                    event(600, Status.IN_TRANSIT, "AR", text="Package damaged, repacked"),
                    event(1500, Status.DELIVERED, "DL", city="AUSTIN", text="Delivered"),
                ),
                body=b'{"trackResults": [{"recipient": "Jane Doe"}]}',
            )
        ]
    )
    run = await draft_open_claims(store, NOW, by="alice")
    return run.claims[0]


async def test_an_exported_pack_verifies_and_a_second_export_gets_its_own_folder(
    store: Store, tmp_path: Path
) -> None:
    claim = await _damaged_claim(store)
    first = await export_pack(store, tmp_path / "exports", claim.id, NOW)
    second = await export_pack(store, tmp_path / "exports", claim.id, NOW)

    assert first.directory == tmp_path / "exports" / f"claim-{claim.id}-20260322T080000Z"
    assert second.directory == tmp_path / "exports" / f"claim-{claim.id}-20260322T080000Z-2"
    for result in (first, second):
        verified = verify_pack(result.directory)
        assert verified.ok, verified.problems
        assert result.manifest["personal_data"] == "redacted"
        assert result.payloads[PayloadExport.REDACTED] == 1  # the carrier's answer, redacted
    assert "Jane Doe" not in "".join(
        p.read_text(errors="replace") for p in first.directory.rglob("*") if p.is_file()
    )


async def test_a_copied_letter_is_the_rendered_draft_in_its_language(store: Store, tmp_path: Path) -> None:
    claim = await lifecycle.get(store, (await _damaged_claim(store)).id)
    path, text = save_letter(tmp_path / "exports", claim, "zh")
    assert path == tmp_path / "exports" / f"claim-{claim.id}.zh.txt"
    assert path.read_text(encoding="utf-8") == text == letter_text(claim, "zh")
    assert "819482199352" in text and "索赔" in text


def test_pack_folders_are_new_and_named_after_the_claim_and_time(tmp_path: Path) -> None:
    made = [new_pack_dir(tmp_path, 7, NOW) for _ in range(3)]
    assert [p.name for p in made] == [
        "claim-7-20260322T080000Z",
        "claim-7-20260322T080000Z-2",
        "claim-7-20260322T080000Z-3",
    ]
    assert all(p.is_dir() and not any(p.iterdir()) for p in made)
