"""The block on top of a shipment's detail: what it is, where it stands, when it should arrive."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from parcel_watch.demoview import age
from parcel_watch.textsafe import clean
from parcel_watch.views.detail import ShipmentDetail
from parcel_watch.views.journey import days_late
from tui import detail_text as fmt
from tui.status import status_text


def header_lines(detail: ShipmentDetail, now: datetime, zone: tzinfo) -> list[Text]:
    """Four short lines (label and number; status; ETA vs promise; route), each built from
    ``Text`` parts so carrier and user text is never read as markup."""
    s = detail.shipment
    title = Text()
    title.append_text(fmt.carrier_text(s.label or s.tracking_number, "bold"))
    if s.label:
        title.append(f"  {clean(s.tracking_number)}")
    title.append(f"  {detail.carrier_name}", style="cyan")
    title.append(f" ({s.carrier_source.value})", style="dim")
    if s.service:
        title.append_text(fmt.carrier_text(f" · {s.service}", "dim"))

    state = status_text(s.status, s.substatus)
    if s.last_event_at is not None:
        state.append(f"   last scan {fmt.user_time(s.last_event_at, zone)}", style="dim")
        state.append(f" ({age(s.last_event_at, now)} ago)", style="dim")
    if detail.archived_at is not None:
        state.append(f"   archived {fmt.user_time(detail.archived_at, zone)}", style="bold magenta")
    if s.poll_error:
        state.append_text(fmt.carrier_text(f"   last poll failed: {s.poll_error[:80]}", "red"))

    return [title, state, _eta_line(detail, zone), _route_line(detail)]


def _eta_line(detail: ShipmentDetail, zone: tzinfo) -> Text:
    s = detail.shipment
    line = Text()
    if s.estimated_delivery is not None:
        line.append(f"ETA {fmt.user_time(s.estimated_delivery, zone, with_zone=True)}")
    else:
        line.append("no ETA", style="dim")
    if s.promised_delivery is not None:
        line.append(f" · promised {fmt.day(s.promised_delivery)}")
    late = days_late(s.estimated_delivery, s.promised_delivery, zone)
    if late is not None and late > 0:
        line.append(f"  {late} day{'s' if late > 1 else ''} late", style="bold red")
    elif late is not None:
        line.append("  on time", style="green")
    revisions = len(detail.eta_history)
    if revisions > 1:
        line.append(f"  ({revisions} estimates so far)", style="dim")
    return line


def _route_line(detail: ShipmentDetail) -> Text:
    line = Text("Route ", style="dim")
    if not detail.route:
        line.append("not known yet", style="dim")
        return line
    line.append(" → ".join(detail.route), style="bold")
    posts = [leg.operator for leg in detail.legs if leg.operator]
    if posts:
        line.append(f"  ({' → '.join(posts)})", style="dim")
    return line


class ShipmentHeader(Static):
    DEFAULT_CSS = """
    ShipmentHeader {
        height: auto;
        padding: 0 1;
        border-bottom: solid $primary-darken-2;
    }
    """

    def show(self, detail: ShipmentDetail, now: datetime, zone: tzinfo) -> None:
        lines = header_lines(detail, now, zone)
        for line in lines:  # one line each whatever the width: the tabs below keep their room
            line.no_wrap, line.overflow = True, "ellipsis"
        self.update(Group(*lines))
