"""How a shipment status looks everywhere in the dashboard: an icon and the demo's colour.

The icons are narrow (one cell) symbols, not emoji, so columns line up in every terminal."""

from __future__ import annotations

from rich.text import Text

from parcel_watch.demoview import STATUS_STYLES
from parcel_watch.status import Status

STATUS_ICONS: dict[Status, str] = {
    Status.UNKNOWN: "?",
    Status.PENDING: "○",
    Status.INFO_RECEIVED: "◌",
    Status.IN_TRANSIT: "→",
    Status.OUT_FOR_DELIVERY: "⇢",
    Status.AVAILABLE_FOR_PICKUP: "⌂",
    Status.DELIVERY_ATTEMPTED: "↺",
    Status.DELIVERED: "✓",
    Status.EXCEPTION: "!",
    Status.RETURNING: "↩",
    Status.RETURNED: "⇤",
    Status.CANCELLED: "✗",
    Status.EXPIRED: "∅",
}


def status_label(status: Status) -> str:
    """``IN_TRANSIT`` -> ``in transit``."""
    return status.value.replace("_", " ").lower()


def status_text(status: Status, substatus: str | None = None) -> Text:
    """``✓ delivered`` in the status's colour; the substatus (``in_transit.arrived``) as ``· arrived``."""
    text = Text(f"{STATUS_ICONS[status]} {status_label(status)}", style=STATUS_STYLES.get(status, ""))
    if substatus:
        text.append(f" · {substatus.split('.', 1)[-1].replace('_', ' ')}", style="dim")
    return text
