"""Which source serves a shipment: its carrier's own API when we have credentials for it,
else an aggregator that is configured (17TRACK first: it covers the postal and cross-border
carriers and both legs of an S10 item), else nothing (the shipment records why)."""

from __future__ import annotations

from collections.abc import Collection

# Detection's carrier slugs that have a direct adapter (same slug).
DIRECT = frozenset({"dhl", "ups", "fedex", "usps"})
AGGREGATORS = ("17track", "aftership", "easypost")


def choose_source(carrier: str, configured: Collection[str]) -> str | None:
    if carrier in DIRECT and carrier in configured:
        return carrier
    return next((agg for agg in AGGREGATORS if agg in configured), None)
