"""Messages the app broadcasts to its screens. Messages go up, calls go down."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class StoreChanged(Message):
    """The feed wrote to the store: screens showing store data reload what they show."""

    new_events: int = 0

    def can_replace(self, message: Message) -> bool:
        # A burst of polls is one reload, not one per poll.
        return isinstance(message, StoreChanged)


@dataclass
class SourcesChanged(Message):
    """Each carrier source's health, as :func:`parcel_watch.poller.health` reports it."""

    sources: dict[str, dict[str, object]]


@dataclass
class OpenShipment(Message):
    """Show one shipment's detail screen (from any list that has a shipment under its cursor)."""

    shipment_id: int
