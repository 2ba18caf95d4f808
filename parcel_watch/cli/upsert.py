"""Adding a shipment (add, add --from-text, import) with the carrier rules applied.

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
from typing import TYPE_CHECKING

from parcel_watch.detect import Candidate, detect
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


def alternatives(chosen: Candidate) -> list[Candidate]:
    """Other carriers' readings of the number that are about as likely as ``chosen``."""
    seen = {chosen.carrier}
    out = []
    for c in detect(chosen.number):
        acceptable = c.valid_checksum or (not c.has_checksum and c.confidence >= 0.5)
        if c.carrier in seen or not acceptable or chosen.confidence - c.confidence > AMBIGUITY_MARGIN:
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
