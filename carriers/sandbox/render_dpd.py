"""DPD ParcelLifeCycleService and LoginService SOAP bodies for sandbox journeys (carrier-apis.md §9).

Tracking: ``statusInfo`` blocks oldest first, then the delivery step still to come (not reached,
no date); dates as with ``messageLanguage`` en_US (``8/17/2021 7:11:26 PM``), at the scan place's
zone, or DPD's home zone where the country alone cannot say which zone (the sandbox's US places),
as the parser assumes. DPD shows no lifecycle step before it has the parcel: a journey with only
its shipment-information scan answers without any reached step, which is DPD's "not found".
Faults come with HTTP 500.
"""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from carriers.dpd import AUTH_NS, HOME_ZONE, LOGIN_NS, PLC_NS, SOAP_ENV
from carriers.sandbox.journeys import Journey, Scan
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
)
from carriers.timeutil import zone_for
from parcel_watch.status import Status as S

_TRANSIT: Key = (S.IN_TRANSIT, None)
_HELD: Key = (S.EXCEPTION, "exception.held_at_location")
_UNKNOWN: Key = (S.UNKNOWN, None)

# statusInfo/status per journey key (text: the description shown). DPD has no return-to-sender step
# on the parcel's own lifecycle in the adapter's table: those read back as UNKNOWN.
CODES_DPD: dict[Key, Code] = {
    PICKED_UP: Code("PickedUp", "DPD has received your parcel.", PICKED_UP),
    DEPARTED: Code("BetweenDepots", "The parcel is at the parcel dispatch centre.", _TRANSIT),
    ARRIVED: Code("Depot", "At parcel delivery centre.", ARRIVED),
    CUSTOMS: Code("Customs", "The parcel is being checked by customs.", CUSTOMS),
    RELEASED: Code("BetweenDepots", "The parcel has been cleared and is in transit.", _TRANSIT),
    DELAYED: Code("BetweenDepots", "The parcel is in transit; delivery is delayed.", _TRANSIT),
    HOLD: Code("Warehouse", "The parcel is held: import duties are due.", _HELD),
    LOST: Code("Warehouse", "The parcel is held for investigation.", _HELD),
    DAMAGED: Code("Warehouse", "The parcel is held: it was damaged in transit.", _HELD),
    OFD: Code(
        "Courier",
        "The parcel has left the parcel delivery centre and is on its way to the consignee.",
        OFD,
    ),
    ATTEMPT: Code(
        "DeliveryFailure",
        "Unfortunately we have not been able to deliver your parcel.",
        (S.DELIVERY_ATTEMPTED, "delivery_attempted.other"),
    ),
    PICKUP: Code("ParcelShop", "Delivered by driver to Pickup parcelshop", PICKUP),
    SAFE: Code("Delivered", "The parcel has been delivered.", (S.DELIVERED, None)),
    POINT: Code("Delivered", "The parcel has been collected at the Pickup parcelshop.", (S.DELIVERED, None)),
    RETURNING: Code("ReturnToSender", "The parcel is on its way back to the sender.", _UNKNOWN),
    RETURNED: Code("ReturnToSender", "The parcel has been returned to the sender.", _UNKNOWN),
}
LABELS = {"PickedUp": "Parcel handed to DPD", "Delivered": "Delivered"}  # else "In transit"


def _line(value: str, bold: bool = True) -> str:
    return f"<content>{escape(value)}</content><bold>{str(bold).lower()}</bold><paragraph>false</paragraph>"


def dpd_time(scan: Scan) -> datetime:
    """The scan's wall time as rendered (see the module docstring)."""
    return scan.occurred_at.astimezone(ZoneInfo(zone_for(scan.place.country) or HOME_ZONE))


def _date(at: datetime) -> str:
    hour = at.hour % 12 or 12
    return f"{at.month}/{at.day}/{at.year} {hour}:{at:%M:%S} {'PM' if at.hour >= 12 else 'AM'}"


def _status_info(status: str, description: str, scan: Scan | None) -> str:
    reached = ""
    if scan is not None:
        where = f"{scan.place.city} ({scan.place.country})"
        reached = f"<location>{_line(where)}</location><date>{_line(_date(dpd_time(scan)))}</date>"
    return (
        f"<statusInfo><status>{status}</status><label>{_line(LABELS.get(status, 'In transit'))}</label>"
        f"<description><content>{_line(description, bold=False)}</content></description>"
        f"<statusHasBeenReached>{str(scan is not None).lower()}</statusHasBeenReached>"
        "<isCurrentStatus>false</isCurrentStatus><showContactInfo>true</showContactInfo>"
        f"{reached}</statusInfo>"
    )


def _envelope(body: str) -> bytes:
    return f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>{body}</soap:Body></soap:Envelope>'.encode()


def render_dpd(journey: Journey, now: datetime) -> bytes:
    scans = [s for s in journey.visible(now) if (s.status, s.substatus) != INFO]
    blocks = [
        _status_info(CODES_DPD[(s.status, s.substatus)].code, CODES_DPD[(s.status, s.substatus)].text, s)
        for s in scans
    ]
    if not any(s.status is S.DELIVERED for s in scans):
        blocks.append(_status_info("Delivered", "The parcel has been delivered.", None))
    result = f"<trackingresult>{''.join(blocks)}</trackingresult>"
    return _envelope(f'<getTrackingDataResponse xmlns="{PLC_NS}">{result}</getTrackingDataResponse>')


def render_dpd_not_found(number: str) -> tuple[int, bytes]:
    return 200, _envelope(
        f'<getTrackingDataResponse xmlns="{PLC_NS}"><trackingresult/></getTrackingDataResponse>'
    )


def render_dpd_login(delis_id: str, token: str, expires_utc: datetime) -> bytes:
    """``authTokenExpires`` in UTC without offset, with .NET's seven fraction digits."""
    expires = f"{expires_utc:%Y-%m-%dT%H:%M:%S.%f}0"
    answer = (
        f"<return><delisId>{escape(delis_id)}</delisId><customerUid>{escape(delis_id)}</customerUid>"
        f"<authToken>{escape(token)}</authToken><depot>0530</depot>"
        f"<authTokenExpires>{expires}</authTokenExpires></return>"
    )
    return _envelope(f'<getAuthResponse xmlns="{LOGIN_NS}">{answer}</getAuthResponse>')


def render_dpd_fault(code: str, message: str) -> bytes:
    """An authenticationFault, as DPD sends for refused credentials and tokens (HTTP 500)."""
    detail = (
        f'<ns:authenticationFault xmlns:ns="{AUTH_NS}"><errorCode>{escape(code)}</errorCode>'
        f"<errorMessage>{escape(message)}</errorMessage></ns:authenticationFault>"
    )
    return _envelope(
        f"<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Fault occured</faultstring>"
        f"<detail>{detail}</detail></soap:Fault>"
    )
