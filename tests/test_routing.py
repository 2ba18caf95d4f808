from __future__ import annotations

import pytest

from parcel_watch.routing import choose_source


@pytest.mark.parametrize(
    ("carrier", "configured", "source"),
    [
        ("fedex", {"fedex", "17track"}, "fedex"),  # direct API first
        ("fedex", {"17track", "aftership"}, "17track"),  # else the aggregator
        ("s10", {"fedex", "aftership"}, "aftership"),  # postal items only via aggregators
        ("yunexpress", {"easypost"}, "easypost"),
        ("ups", set(), None),  # nothing configured: no source
    ],
)
def test_direct_api_then_aggregator_then_nothing(
    carrier: str, configured: set[str], source: str | None
) -> None:
    assert choose_source(carrier, configured) == source
