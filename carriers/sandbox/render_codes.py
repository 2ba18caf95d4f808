"""Code tables and helpers shared by the sandbox renderers (``render_<carrier>.py``); the
contract they implement is described in ``render``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from carriers.sandbox.journeys import Journey, Place, Scan
from carriers.timeutil import zone_for
from parcel_watch.status import Status as S

Key = tuple[S, str | None]


@dataclass(frozen=True)
class Code:
    code: str  # the carrier's code ("type/code" for UPS, "status/detail" for EasyPost, ...)
    text: str  # the description the carrier prints (the parsers' keyword rules read it)
    parsed: Key  # what the adapter's parser makes of code + text


INFO: Key = (S.INFO_RECEIVED, None)
PICKED_UP: Key = (S.IN_TRANSIT, "in_transit.picked_up")
DEPARTED: Key = (S.IN_TRANSIT, "in_transit.departed")
ARRIVED: Key = (S.IN_TRANSIT, "in_transit.arrived")
CUSTOMS: Key = (S.IN_TRANSIT, "in_transit.customs_processing")
RELEASED: Key = (S.IN_TRANSIT, "in_transit.customs_released")
DELAYED: Key = (S.IN_TRANSIT, "in_transit.delayed")
HOLD: Key = (S.EXCEPTION, "exception.customs_hold")
LOST: Key = (S.EXCEPTION, "exception.lost")
DAMAGED: Key = (S.EXCEPTION, "exception.damaged")
OFD: Key = (S.OUT_FOR_DELIVERY, None)
ATTEMPT: Key = (S.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable")
PICKUP: Key = (S.AVAILABLE_FOR_PICKUP, None)
SAFE: Key = (S.DELIVERED, "delivered.left_safe_place")
POINT: Key = (S.DELIVERED, "delivered.pickup_point")
RETURNING: Key = (S.RETURNING, "returning.to_sender")
RETURNED: Key = (S.RETURNED, "returned.to_sender")
KEYS: tuple[Key, ...] = (INFO, PICKED_UP, DEPARTED, ARRIVED, CUSTOMS, RELEASED, DELAYED, HOLD, LOST, DAMAGED)
KEYS += (OFD, ATTEMPT, PICKUP, SAFE, POINT, RETURNING, RETURNED)
_TRANSIT: Key = (S.IN_TRANSIT, None)
_DELIVERED: Key = (S.DELIVERED, None)
_OTHER: Key = (S.EXCEPTION, "exception.other")

# FedEx eventType (DE: "/exceptionCode"). DL's substatus is the shipment's deliveryDetails: no
# signature -> left_safe_place, so a pickup-point delivery reads as left_safe_place.
CODES_FEDEX: dict[Key, Code] = {
    INFO: Code("OC", "Shipment information sent to FedEx", INFO),
    PICKED_UP: Code("PU", "Picked up", PICKED_UP),
    DEPARTED: Code("DP", "Departed FedEx location", DEPARTED),
    ARRIVED: Code("AR", "Arrived at FedEx location", ARRIVED),
    CUSTOMS: Code("IT", "International shipment release - Import", _TRANSIT),
    RELEASED: Code("CC", "Clearance completed", RELEASED),
    DELAYED: Code("DY", "Delay", DELAYED),
    HOLD: Code("CD", "Clearance delay - Import", HOLD),
    LOST: Code("SE", "Shipment exception", _OTHER),
    DAMAGED: Code("SE", "Package damaged", DAMAGED),
    OFD: Code("OD", "On FedEx vehicle for delivery", OFD),
    ATTEMPT: Code("DE/08", "Customer not available or business closed", ATTEMPT),
    PICKUP: Code("HL", "Ready for pickup at FedEx location", PICKUP),
    SAFE: Code("DL", "Delivered", SAFE),
    POINT: Code("DL", "Delivered", SAFE),
    RETURNING: Code("RS", "Return to shipper", RETURNING),
    RETURNED: Code("DL", "Delivered to shipper", RETURNED),
}
# UPS "type/code". D events take their substatus from deliveryInformation.location (set to
# "Front Door" only for a left_safe_place delivery): a pickup-point delivery reads as plain DELIVERED.
CODES_UPS: dict[Key, Code] = {
    INFO: Code("M/MP", "Shipper created a label, UPS has not received the package yet.", INFO),
    PICKED_UP: Code("P/PU", "Pickup Scan", PICKED_UP),
    DEPARTED: Code("I/DP", "Departed from Facility", DEPARTED),
    ARRIVED: Code("I/AR", "Arrived at Facility", ARRIVED),
    CUSTOMS: Code("I/IP", "Import Scan", _TRANSIT),
    RELEASED: Code("X/SR", "Your package was released by the customs agency.", RELEASED),
    DELAYED: Code("X/DY", "A mechanical failure has caused a delay.", DELAYED),
    HOLD: Code("X/CH", "Your package is being held in customs: import duties are due.", HOLD),
    LOST: Code("X/LS", "We are unable to locate the package.", _OTHER),
    DAMAGED: Code("X/DM", "The package was damaged in transit.", DAMAGED),
    OFD: Code("I/OT", "Out For Delivery Today", OFD),
    ATTEMPT: Code("X/48", "The receiver was not available for delivery.", ATTEMPT),
    PICKUP: Code("X/RP", "Ready for pickup at UPS Access Point", PICKUP),
    SAFE: Code("D/FS", "DELIVERED", SAFE),
    POINT: Code("D/KB", "DELIVERED", _DELIVERED),
    RETURNING: Code("X/RS", "The package is returning to the sender.", RETURNING),
    RETURNED: Code("D/FS", "Returned to shipper", RETURNED),
}
# DHL Unified statusCode + description keywords. No "returned" bucket: a return delivered back to
# the shipper reads as RETURNING (never as DELIVERED, which would close a claim wrongly).
CODES_DHL: dict[Key, Code] = {
    INFO: Code("pre-transit", "Shipment information received", INFO),
    PICKED_UP: Code("transit", "Shipment picked up", PICKED_UP),
    DEPARTED: Code("transit", "Departed from facility", _TRANSIT),
    ARRIVED: Code("transit", "Arrived at Sort Facility", _TRANSIT),
    CUSTOMS: Code("transit", "Customs clearance status updated", CUSTOMS),
    RELEASED: Code("transit", "Shipment released by customs", RELEASED),
    DELAYED: Code("transit", "Shipment delayed", DELAYED),
    HOLD: Code("failure", "Shipment on hold at customs: import duties due", _OTHER),
    LOST: Code("failure", "Shipment could not be located", _OTHER),
    DAMAGED: Code("failure", "Shipment damaged", DAMAGED),
    OFD: Code("transit", "Shipment is out for delivery", OFD),
    ATTEMPT: Code("failure", "Delivery attempted; recipient not at home", ATTEMPT),
    PICKUP: Code("transit", "Shipment is ready for pickup at the DHL Service Point", PICKUP),
    SAFE: Code("delivered", "Delivered", _DELIVERED),
    POINT: Code("delivered", "Delivered at DHL Service Point", _DELIVERED),
    RETURNING: Code("failure", "Shipment is being returned to the shipper", RETURNING),
    RETURNED: Code("failure", "Returned to shipper", RETURNING),
}
# USPS v3 eventCode. USPS problem scans are "Alert: …" texts; the sandbox gives them code "AL"
# (not a USPS code: the parser reads the Alert text). USPS has no "returned" code.
CODES_USPS: dict[Key, Code] = {
    INFO: Code("GX", "Shipping Label Created, USPS Awaiting Item", INFO),
    PICKED_UP: Code("03", "USPS in possession of item", PICKED_UP),
    DEPARTED: Code("T1", "Departed USPS Regional Facility", DEPARTED),
    ARRIVED: Code("10", "Arrived at USPS Regional Facility", ARRIVED),
    CUSTOMS: Code("TL", "Processing Through Customs", _TRANSIT),
    RELEASED: Code("TL", "Released from Customs", _TRANSIT),
    DELAYED: Code("TL", "In Transit, Arriving Late", _TRANSIT),
    HOLD: Code("AL", "Alert: Held in Customs", (S.EXCEPTION, "exception.customs_hold")),
    LOST: Code("AL", "Alert: Missing Item", (S.EXCEPTION, "exception.lost")),
    DAMAGED: Code("AL", "Alert: Damaged", (S.EXCEPTION, "exception.damaged")),
    OFD: Code("OF", "Out for Delivery", OFD),
    ATTEMPT: Code("02", "Notice Left (No Authorized Recipient Available)", ATTEMPT),
    PICKUP: Code("14", "Available for Pickup", PICKUP),
    SAFE: Code("01", "Delivered, Front Door/Porch", SAFE),
    POINT: Code("01", "Delivered, Individual Picked Up at Post Office", _DELIVERED),
    RETURNING: Code("09", "Return to Sender Processed", RETURNING),
    RETURNED: Code("29", "Delivered, To Original Sender", RETURNING),
}
# 17TRACK sub_status (stage from SEVENTEEN_STAGES).
CODES_17TRACK: dict[Key, Code] = {
    INFO: Code("InfoReceived", "Shipment information received", INFO),
    PICKED_UP: Code("InTransit_PickedUp", "Picked up", PICKED_UP),
    DEPARTED: Code("InTransit_Departure", "Departed facility", DEPARTED),
    ARRIVED: Code("InTransit_Arrival", "Arrived at facility", ARRIVED),
    CUSTOMS: Code("InTransit_CustomsProcessing", "Clearance in progress", CUSTOMS),
    RELEASED: Code("InTransit_CustomsReleased", "Released by customs", RELEASED),
    DELAYED: Code("InTransit_Other", "Delayed: operational issue", _TRANSIT),
    HOLD: Code("Exception_Other", "Held by customs: import duties due", _OTHER),
    LOST: Code("Exception_Lost", "Package could not be located", LOST),
    DAMAGED: Code("Exception_Damage", "Package damaged in transit", DAMAGED),
    OFD: Code("OutForDelivery_Other", "Out for delivery", OFD),
    ATTEMPT: Code("DeliveryFailure_NoBody", "Recipient not available", ATTEMPT),
    PICKUP: Code("AvailableForPickup_Other", "Ready for pickup", PICKUP),
    SAFE: Code("Delivered_Other", "Delivered, left at front door", _DELIVERED),
    POINT: Code("Delivered_Other", "Picked up by recipient at pickup point", _DELIVERED),
    RETURNING: Code("Exception_Returning", "Returning to sender", RETURNING),
    RETURNED: Code("Exception_Returned", "Returned to sender", RETURNED),
}
SEVENTEEN_STAGES = {
    S.INFO_RECEIVED: "InfoReceived",
    S.OUT_FOR_DELIVERY: "OutForDelivery",
    S.AVAILABLE_FOR_PICKUP: "AvailableForPickup",
    S.DELIVERED: "Delivered",
    S.RETURNING: "Returning",
    S.RETURNED: "Returned",
}
SEVENTEEN_SUB_STAGES = {"in_transit.picked_up": "PickedUp", "in_transit.departed": "Departure"}
SEVENTEEN_SUB_STAGES["in_transit.arrived"] = "Arrival"
# AfterShip subtag (tag is its prefix).
CODES_AFTERSHIP: dict[Key, Code] = {
    INFO: Code("InfoReceived_001", "Shipment information received", INFO),
    PICKED_UP: Code("InTransit_002", "Picked up", PICKED_UP),
    DEPARTED: Code("InTransit_007", "Departed facility", DEPARTED),
    ARRIVED: Code("InTransit_003", "Arrived at facility", ARRIVED),
    CUSTOMS: Code("InTransit_006", "Clearance in progress", CUSTOMS),
    RELEASED: Code("InTransit_005", "Released by customs", RELEASED),
    DELAYED: Code("InTransit_001", "Delayed: operational issue", _TRANSIT),
    HOLD: Code("Exception_004", "Held by customs: import duties due", HOLD),
    LOST: Code("Exception_013", "Package could not be located", LOST),
    DAMAGED: Code("Exception_012", "Package damaged in transit", DAMAGED),
    OFD: Code("OutForDelivery_001", "Out for delivery", OFD),
    ATTEMPT: Code("AttemptFail_001", "Recipient not available", ATTEMPT),
    PICKUP: Code("AvailableForPickup_001", "Ready for pickup", PICKUP),
    SAFE: Code("Delivered_001", "Delivered, left at front door", _DELIVERED),
    POINT: Code("Delivered_002", "Picked up by recipient at pickup point", POINT),
    RETURNING: Code("Exception_010", "Returning to sender", RETURNING),
    RETURNED: Code("Exception_011", "Returned to sender", RETURNED),
}
# EasyPost "status/status_detail".
CODES_EASYPOST: dict[Key, Code] = {
    INFO: Code("pre_transit/status_update", "Pre-Shipment Info Sent", INFO),
    PICKED_UP: Code("in_transit/received_at_origin_facility", "Picked up", PICKED_UP),
    DEPARTED: Code("in_transit/departed_facility", "Departed facility", DEPARTED),
    ARRIVED: Code("in_transit/arrived_at_facility", "Arrived at facility", ARRIVED),
    CUSTOMS: Code("in_transit/status_update", "Clearance in progress", _TRANSIT),
    RELEASED: Code("in_transit/status_update", "Released by customs", _TRANSIT),
    DELAYED: Code("in_transit/delayed", "Delayed: operational issue", DELAYED),
    HOLD: Code("failure/status_update", "Held by customs: import duties due", _OTHER),
    LOST: Code("failure/lost", "Package could not be located", LOST),
    DAMAGED: Code("failure/damaged", "Package damaged in transit", DAMAGED),
    OFD: Code("out_for_delivery/out_for_delivery", "Out for delivery", OFD),
    ATTEMPT: Code(
        "failure/delivery_exception",
        "Recipient not available",
        (S.DELIVERY_ATTEMPTED, "delivery_attempted.other"),
    ),
    PICKUP: Code("available_for_pickup/arrived_at_pickup_location", "Ready for pickup", PICKUP),
    SAFE: Code("delivered/arrived_at_destination", "Delivered, left at front door", _DELIVERED),
    POINT: Code("delivered/arrived_at_destination", "Picked up at pickup point", _DELIVERED),
    RETURNING: Code("return_to_sender/return", "Returning to sender", RETURNING),
    RETURNED: Code("return_to_sender/return", "Returned to sender", RETURNING),
}
CODES: dict[str, dict[Key, Code]] = {
    "fedex": CODES_FEDEX,
    "ups": CODES_UPS,
    "dhl": CODES_DHL,
    "usps": CODES_USPS,
    "17track": CODES_17TRACK,
    "aftership": CODES_AFTERSHIP,
    "easypost": CODES_EASYPOST,
}
# (carrier, journey key) pairs whose read-back is coarser than the journey (documentation, tests).
COARSER = {(slug, key): code.parsed for slug, table in CODES.items() for key, code in table.items()}
COARSER = {pair: parsed for pair, parsed in COARSER.items() if parsed != pair[1]}


def zone(place: Place) -> tzinfo:
    name = zone_for(place.country, place.region)
    return ZoneInfo(name) if name else UTC


def destination(journey: Journey) -> Place:
    """Where the label says the parcel goes (the last-mile scans' place; else the last scan's)."""
    return next((s.place for s in journey.scans if s.status is S.OUT_FOR_DELIVERY), journey.scans[-1].place)


def local(when: datetime, place: Place) -> datetime:
    return when.astimezone(zone(place))


def iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def utc_z(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def offset_text(when: datetime) -> str:
    return when.strftime("%z")[:3] + ":" + when.strftime("%z")[3:]


def dump(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def code_for(table: dict[Key, Code], scan: Scan) -> Code:
    return table[(scan.status, scan.substatus)]
