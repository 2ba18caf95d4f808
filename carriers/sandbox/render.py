"""Sandbox journeys rendered as each carrier API's own response bodies (pure).

``render_<slug>(journey, now)`` gives the success body (JSON bytes, HTTP 200) for one number with
the scans visible at ``now``, in the order and time format of the real API (carrier-apis.md §2-§8);
``render_<slug>_not_found(number)`` gives ``(http_status, body)`` of the API's real "no such number"
answer. Before a journey's first scan the success body holds a shipment with no events; a sandbox
server should prefer the not-found answer for such numbers, as the carriers do.

Each ``CODES_<slug>`` table maps a journey's (status, substatus) to the carrier's code and text
and to what ``carriers.<slug>.parse`` reads back. Where the carrier's vocabulary is coarser than
the journey's, the read-back differs from the key; ``COARSER`` lists exactly those pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from carriers.sandbox import (
    render_17track,
    render_aftership,
    render_dhl,
    render_easypost,
    render_fedex,
    render_ups,
    render_usps,
)
from carriers.sandbox.journeys import Journey
from carriers.sandbox.render_codes import COARSER, CODES, KEYS, Code, Key, destination, zone

# The registry: slug -> (render one, not found); FedEx and 17TRACK also batch (render_*_many).
Render = Callable[[Journey, datetime], bytes]
NotFoundBody = Callable[[str], tuple[int, bytes]]
RENDERERS: dict[str, tuple[Render, NotFoundBody]] = {
    "fedex": (render_fedex.render_fedex, render_fedex.render_fedex_not_found),
    "ups": (render_ups.render_ups, render_ups.render_ups_not_found),
    "dhl": (render_dhl.render_dhl, render_dhl.render_dhl_not_found),
    "usps": (render_usps.render_usps, render_usps.render_usps_not_found),
    "17track": (render_17track.render_17track, render_17track.render_17track_not_found),
    "aftership": (render_aftership.render_aftership, render_aftership.render_aftership_not_found),
    "easypost": (render_easypost.render_easypost, render_easypost.render_easypost_not_found),
}

__all__ = ["COARSER", "CODES", "KEYS", "RENDERERS", "Code", "Key", "destination", "zone"]
