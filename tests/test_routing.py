from __future__ import annotations

import pytest

from parcel_watch.detect import best
from parcel_watch.poller import configured_credentials
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


@pytest.mark.parametrize(
    ("origin", "configured", "source"),
    [
        ("GB", {"royalmail", "17track"}, "royalmail"),  # the issuing operator's own API first
        ("FR", {"laposte", "17track"}, "laposte"),
        ("GB", {"laposte", "aftership"}, "aftership"),  # another operator cannot track it
        ("CN", {"royalmail", "laposte", "17track"}, "17track"),
        (None, {"royalmail"}, None),
    ],
)
def test_s10_items_go_to_their_issuing_operator(
    origin: str | None, configured: set[str], source: str | None
) -> None:
    assert choose_source("s10", configured, origin) == source
    assert choose_source("ups", configured, origin) == next(  # only S10 numbers follow their origin
        (a for a in ("17track", "aftership", "easypost") if a in configured), None
    )


def test_detected_numbers_route_to_the_operators_configured_from_the_environment() -> None:
    env = {
        "PARCEL_WATCH_ROYALMAIL_CLIENT_ID": "rm-id",
        "PARCEL_WATCH_ROYALMAIL_CLIENT_SECRET": "rm-secret",
        "PARCEL_WATCH_LAPOSTE_API_KEY": "okapi",
        "PARCEL_WATCH_SFEXPRESS_CLIENT_ID": "partner",
        "PARCEL_WATCH_SFEXPRESS_CLIENT_SECRET": "checkword",
        "PARCEL_WATCH_17TRACK_API_KEY": "k",
    }
    configured = configured_credentials(env)
    assert {"royalmail", "laposte", "sfexpress", "17track"} <= set(configured)
    for number, source in (
        ("RB123456785GB", "royalmail"),
        ("EW112720413FR", "laposte"),
        ("RR123456785CN", "17track"),
    ):
        candidate = best(number)
        assert candidate is not None and candidate.carrier == "s10"
        assert choose_source(candidate.carrier, configured, candidate.origin_country) == source
    assert choose_source("s10", configured_credentials({}), "GB") is None
