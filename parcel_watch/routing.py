"""Which source serves a shipment: its carrier's own API when we have credentials for it,
else an aggregator that is configured (17TRACK first: it covers the postal and cross-border
carriers and both legs of an S10 item), else nothing (the shipment records why)."""

from __future__ import annotations

from collections.abc import Collection

# Detection's carrier slug -> the adapter serving it directly (the corpus spells Canada Post "canada_post").
DIRECT = {slug: slug for slug in ("dhl", "ups", "fedex", "usps", "dpd")} | {"canada_post": "canadapost"}
# S10 (UPU) items have no carrier of their own: the issuing operator, named by the number's
# country suffix (detection stores it as the origin country), tracks them in its own API.
S10_OPERATORS = {"GB": "royalmail", "FR": "laposte"}
AGGREGATORS = ("17track", "aftership", "easypost")


def choose_source(carrier: str, configured: Collection[str], origin_country: str | None = None) -> str | None:
    direct = DIRECT.get(carrier)
    if direct is not None and direct in configured:
        return direct
    operator = S10_OPERATORS.get(origin_country or "") if carrier == "s10" else None
    if operator is not None and operator in configured:
        return operator
    return next((agg for agg in AGGREGATORS if agg in configured), None)
