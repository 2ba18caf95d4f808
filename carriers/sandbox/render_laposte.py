"""La Poste Suivi v2 bodies for sandbox journeys (carrier-apis.md §9): a list of items (up to 10
numbers), events newest first with the scan's offset and French labels, no places. A lone
unknown number is a 404 item with returnCode 104; unknown numbers among others are 104 items in
an HTTP 207 list.

La Poste's codes are coarser than the journeys: MD2 (at the delivery site) stands for out for
delivery too, AG1 (waiting at the counter) for a failed attempt, PB1 for a loss or damage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from carriers.sandbox.journeys import Journey
from carriers.sandbox.render_codes import (
    ARRIVED,
    ATTEMPT,
    CUSTOMS,
    DAMAGED,
    DELAYED,
    DEPARTED,
    HOLD,
    INFO,
    LOST,
    OFD,
    PICKED_UP,
    PICKUP,
    POINT,
    RELEASED,
    RETURNED,
    RETURNING,
    SAFE,
    Code,
    Key,
    code_for,
    destination,
    dump,
    iso,
    local,
)
from parcel_watch.status import Status as S

_TRANSIT: Key = (S.IN_TRANSIT, None)
_PROBLEM: Key = (S.EXCEPTION, "exception.other")
_DELIVERED: Key = (S.DELIVERED, None)

CODES_LAPOSTE: dict[Key, Code] = {
    INFO: Code("DR1", "Votre colis va bientôt nous être confié ! Il est en cours de préparation.", INFO),
    PICKED_UP: Code("PC1", "Votre colis a été déposé dans un point postal.", PICKED_UP),
    DEPARTED: Code("ET2", "Votre colis est prêt à partir de son territoire d’expédition.", _TRANSIT),
    ARRIVED: Code("MD2", "Votre colis est dans le site de livraison qui dessert votre adresse.", ARRIVED),
    CUSTOMS: Code("DO1", "Votre colis est en cours de dédouanement.", CUSTOMS),
    RELEASED: Code("DO2", "Votre colis a été dédouané.", RELEASED),
    DELAYED: Code("ET1", "Votre colis est en cours d'acheminement, avec du retard.", _TRANSIT),
    HOLD: Code("DO3", "Votre colis est retenu en douane : des droits sont à régler.", HOLD),
    LOST: Code("PB1", "Votre colis n'a pas pu être localisé.", _PROBLEM),
    DAMAGED: Code("PB1", "Votre colis a été endommagé.", _PROBLEM),
    OFD: Code("MD2", "Votre colis est en cours de livraison.", ARRIVED),
    ATTEMPT: Code("AG1", "Vous étiez absent : votre colis vous attend en bureau de poste.", PICKUP),
    PICKUP: Code("AG1", "Votre colis est disponible dans votre point de retrait.", PICKUP),
    SAFE: Code("DI1", "Votre colis est livré.", _DELIVERED),
    POINT: Code("DI1", "Votre colis a été remis au destinataire dans son point de retrait.", _DELIVERED),
    RETURNING: Code("RE1", "Votre colis est retourné à l'expéditeur.", RETURNING),
    RETURNED: Code("DI2", "Votre colis a été livré à l'expéditeur.", RETURNED),
}
NOT_YET = (
    "Votre suivi n'est pas encore disponible. Si vous avez déposé votre envoi, les informations de "
    "suivi peuvent être affichées avec un délai, veuillez réessayer ultérieurement."
)


def _item(journey: Journey, now: datetime) -> dict[str, Any]:
    scans, dest = journey.visible(now), destination(journey)
    events = []
    for scan in reversed(scans):
        code = code_for(CODES_LAPOSTE, scan)
        events.append(
            {"code": code.code, "label": code.text, "date": iso(local(scan.occurred_at, scan.place))}
        )
    final = bool(scans) and scans[-1].status in (S.DELIVERED, S.RETURNED)
    shipment: dict[str, Any] = {
        "idShip": journey.tracking_number,
        "holder": 4,
        "product": "colissimo",
        "isFinal": final,
        "timeline": [],
        "event": events,
        "contextData": {"originCountry": journey.scans[0].place.country, "arrivalCountry": dest.country},
        "url": f"https://www.laposte.fr/outils/suivre-vos-envois?code={journey.tracking_number}",
    }
    if events:
        shipment["entryDate"] = events[-1]["date"]
    if final:
        shipment["deliveryDate"] = events[0]["date"]
    if (eta := journey.estimate(now)) is not None:
        shipment["estimDate"] = iso(local(eta, dest))
    return {"lang": "fr_FR", "scope": "open", "returnCode": 200, "shipment": shipment}


def _missing(number: str) -> dict[str, Any]:
    return {"lang": "fr_FR", "scope": "open", "returnCode": 104, "returnMessage": NOT_YET, "idShip": number}


def render_laposte_many(
    journeys: Sequence[Journey], now: datetime, missing: Sequence[str] = ()
) -> tuple[int, bytes]:
    if not journeys and len(missing) == 1:
        return render_laposte_not_found(missing[0])
    items = [_item(j, now) for j in journeys] + [_missing(n) for n in missing]
    return (207 if missing else 200), dump(items)


def render_laposte(journey: Journey, now: datetime) -> bytes:
    return dump([_item(journey, now)])


def render_laposte_not_found(number: str) -> tuple[int, bytes]:
    return 404, dump(_missing(number))


def render_laposte_bad_request(message: str) -> tuple[int, bytes]:
    return 400, dump({"lang": "fr_FR", "scope": "open", "returnCode": 400, "returnMessage": message})


def render_laposte_unauthorized(message: str) -> tuple[int, bytes]:
    """The API gateway's refusal, as observed live for a missing key."""
    return 401, dump({"code": "UNAUTHORIZED", "message": message})
