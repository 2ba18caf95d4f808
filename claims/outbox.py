"""What leaves the dashboard for a claim: its letter as text, and its evidence pack, both
under one export folder the user can find again.

Each export is a new folder named after the claim and the time (``claim-12-20261130T120000Z``;
a second export in the same second gets ``-2``), so an earlier pack is never overwritten —
a pack whose chain head was handed to someone must stay as it was. A copied letter is
``claim-12.en.txt``, replaced by the next copy: it is the current draft, not evidence.
Personal data is redacted in the pack unless asked for (as ``parcel-watch claims export``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from claims.evidence_files import ExportResult, export_claim
from claims.lifecycle import StoredClaim
from claims.rendering import render
from parcel_watch.store import Store


def letter_text(claim: StoredClaim, language: str) -> str:
    """The claim's letter as plain text, rendered from its stored draft in ``language``."""
    return render(claim.document, language=language, markdown=False)


def save_letter(export_dir: Path, claim: StoredClaim, language: str) -> tuple[Path, str]:
    """Write the letter next to the exports; returns (the file, its text)."""
    text = letter_text(claim, language)
    export_dir.mkdir(parents=True, exist_ok=True)
    path = export_dir / f"claim-{claim.id}.{language}.txt"
    path.write_text(text, encoding="utf-8")
    return path, text


def new_pack_dir(export_dir: Path, claim_id: int, now: datetime) -> Path:
    """A folder for one evidence pack that does not exist yet (created, empty)."""
    export_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = f"claim-{claim_id}-{stamp}"
    for n in range(1, 1000):
        path = export_dir / (base if n == 1 else f"{base}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free folder name for {base} in {export_dir}")


async def export_pack(
    store: Store, export_dir: Path, claim_id: int, now: datetime, *, include_personal: bool = False
) -> ExportResult:
    """Write the claim's evidence pack into a new folder under ``export_dir``."""
    directory = new_pack_dir(export_dir, claim_id, now)
    return await export_claim(store, claim_id, directory, include_personal=include_personal, now=now)
