"""The claims work queue as a table: one row per claim, in the queue's order (deadline first)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from claims.model import ClaimStatus
from claims.queue import QueuedClaim, Stage
from parcel_watch.textsafe import clean
from tui.widgets.keyed_table import KeyedTable

COLUMNS = ("Left", "File by", "Status", "Shipment", "Anomaly", "Amount", "To", "Carrier", "#")
SOON_DAYS = 7  # a deadline this close is shown in yellow
NAME_WIDTH = 22

CLAIM_STATUS_STYLES: dict[ClaimStatus, str] = {
    ClaimStatus.DRAFT: "",
    ClaimStatus.READY: "bold cyan",
    ClaimStatus.FILED: "blue",
    ClaimStatus.ACKNOWLEDGED: "bold blue",
    ClaimStatus.PARTIALLY_PAID: "yellow",
    ClaimStatus.PAID: "green",
    ClaimStatus.DENIED: "red",
    ClaimStatus.EXPIRED: "dim",
}


def days_style(days_left: int | None) -> str:
    """Overdue red, a week or less yellow."""
    if days_left is None:
        return "dim"
    if days_left < 0:
        return "bold red"
    return "yellow" if days_left <= SOON_DAYS else ""


def days_text(days_left: int | None) -> str:
    if days_left is None:
        return "—"
    if days_left == 0:
        return "today"
    return f"{days_left} d"


def left_words(days_left: int) -> str:
    """Days left to a last filing day, in words."""
    if days_left < 0:
        return f"{-days_left} days overdue" if days_left < -1 else "1 day overdue"
    if days_left == 0:
        return "today is the last day"
    return "1 day left" if days_left == 1 else f"{days_left} days left"


def short(text: str | None, width: int = NAME_WIDTH) -> Text:
    """Untrusted text, cleaned, cut to ``width`` characters."""
    value = clean(text)
    return Text(value if len(value) <= width else value[: width - 1] + "…")


def status_text(status: ClaimStatus) -> Text:
    return Text(status.value.replace("_", " "), style=CLAIM_STATUS_STYLES[status])


def respondent_name(item: QueuedClaim) -> str:
    named = item.claim.document.get("claim", {}).get("respondent_name")
    return str(named) if named else item.claim.respondent.value.replace("_", " ")


def claim_cells(item: QueuedClaim) -> list[Text]:
    claim = item.claim
    # Days left matter only while the claim is still to be filed.
    left = item.days_left if item.stage is Stage.TO_FILE else None
    amount = f"{claim.amount.amount} {claim.amount.currency}" if claim.amount else "—"
    return [
        Text(days_text(left), style=days_style(left), justify="right"),
        Text(claim.latest.isoformat() if claim.latest else "—"),
        status_text(claim.status),
        short(item.shipment.name),
        Text(claim.anomaly.value.replace("_", " ")),
        Text(amount, justify="right"),
        short(respondent_name(item), 16),
        short(item.shipment.carrier, 12),
        Text(str(claim.id), style="dim"),
    ]


class ClaimTable(KeyedTable):
    """Row keys are claim ids."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, id=id)

    def show(self, items: Sequence[QueuedClaim]) -> None:
        self.refill((str(item.claim.id), claim_cells(item)) for item in items)

    @property
    def claim_id(self) -> int | None:
        key = self.current_key
        return int(key) if key is not None else None
