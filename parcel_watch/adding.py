"""Adding a shipment (the CLI's add, add --from-text and import; the dashboard's add dialog)
with the carrier rules applied.

* A carrier someone chose (``--carrier``: USER, a CSV carrier column: IMPORT) is never
  replaced by detection: re-adding the number without a carrier updates the stored
  shipment and keeps its carrier and carrier source. Between choices, USER > IMPORT >
  DETECTED: an import does not demote a user's choice of the same carrier.
* Choosing a carrier for a number stored under a different *detected* carrier corrects the
  guess: the guessed shipment is removed once the new one is stored, unless it already has
  events (then both stay and the caller says so).
* Detection fills ``service`` and (S10) ``origin_country`` when they were not given and the
  stored carrier is the detected one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from parcel_watch.detect import (
    Candidate,
    InvalidTrackingNumber,
    acceptable,
    detect,
    normalize_number,
    require_valid,
)
from parcel_watch.model import CarrierSource, Shipment

if TYPE_CHECKING:
    from parcel_watch.store import Store

# Another carrier whose reading validates and is this close in confidence is worth a note.
AMBIGUITY_MARGIN = 0.1


class Conflict(ValueError):
    """The number is stored for several carriers and none was named."""


@dataclass(frozen=True)
class Outcome:
    shipment: Shipment
    created: bool
    replaced: tuple[str, ...] = ()  # guessed carriers the choice replaced
    also_stored: tuple[str, ...] = ()  # other carriers still stored for the same number


def readings(raw: str) -> list[Candidate]:
    """Each carrier's best reading of a number being typed, best first: what to choose from."""
    seen: set[str] = set()
    out = []
    for c in detect(raw):
        if c.carrier not in seen:
            seen.add(c.carrier)
            out.append(c)
    return out


def alternatives(chosen: Candidate) -> list[Candidate]:
    """Other carriers' readings of the number that are about as likely as ``chosen``."""
    seen = {chosen.carrier}
    out = []
    for c in detect(chosen.number):
        if c.carrier in seen or not acceptable(c) or chosen.confidence - c.confidence > AMBIGUITY_MARGIN:
            continue
        seen.add(c.carrier)
        out.append(c)
    return out


async def upsert(store: Store, shipment: Shipment, candidate: Candidate | None, *, explicit: bool) -> Outcome:
    """Store ``shipment`` (descriptive fields set; None = keep the stored value).

    ``explicit``: its carrier was chosen (USER or IMPORT) rather than detected."""
    existing = await store.find(shipment.tracking_number)
    guessed: list[Shipment] = []
    if explicit:
        same = next((s for s in existing if s.carrier == shipment.carrier), None)
        if same is not None and same.carrier_source.strength > shipment.carrier_source.strength:
            shipment = shipment.model_copy(update={"carrier_source": same.carrier_source})
        guessed = [
            s
            for s in existing
            if s.carrier != shipment.carrier and s.carrier_source is CarrierSource.DETECTED
        ]
    elif len(existing) > 1:
        carriers = ", ".join(s.carrier for s in existing)
        raise Conflict(f"{shipment.tracking_number} is stored for several carriers ({carriers})")
    elif existing:
        target = existing[0]
        shipment = shipment.model_copy(
            update={"carrier": target.carrier, "carrier_source": target.carrier_source}
        )
    if candidate is not None and candidate.carrier == shipment.carrier:
        fill = {
            "service": shipment.service or candidate.service,
            "origin_country": shipment.origin_country or candidate.origin_country,
        }
        shipment = shipment.model_copy(update=fill)
    result = await store.add(shipment)
    replaced: list[str] = []
    for old in guessed:
        if old.id is not None and not await store.timeline(old.id):
            await store.remove(old.tracking_number, old.carrier)
            replaced.append(old.carrier)
    others = tuple(s.carrier for s in existing if s.carrier != shipment.carrier and s.carrier not in replaced)
    return Outcome(result.shipment, result.created, tuple(replaced), others)


async def add_number(
    store: Store, raw: str, carrier: str | None = None, fields: dict[str, Any] | None = None
) -> tuple[Outcome, Candidate]:
    """Add one typed number: validated (for ``carrier`` if given), stored with carrier source
    USER when the carrier was chosen, else DETECTED; ``fields`` are descriptive fields.

    A number that does not validate on its own but is stored under exactly one carrier (a
    user's choice) re-validates against that carrier. Raises InvalidTrackingNumber (nothing
    is stored) or Conflict."""
    try:
        candidate = require_valid(raw, carrier)
    except InvalidTrackingNumber:
        stored = await store.find(normalize_number(raw)) if carrier is None else []
        if len(stored) != 1:
            raise
        candidate = require_valid(raw, stored[0].carrier)
    source = CarrierSource.USER if carrier else CarrierSource.DETECTED
    shipment = Shipment(
        tracking_number=candidate.number, carrier=candidate.carrier, carrier_source=source, **(fields or {})
    )
    outcome = await upsert(store, shipment, candidate, explicit=carrier is not None)
    return outcome, candidate
