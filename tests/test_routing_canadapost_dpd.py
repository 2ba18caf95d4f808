"""Canada Post and DPD numbers, detected offline, go to their own adapters when the environment
holds their credentials, and to an aggregator otherwise. Detection names Canada Post
``canada_post``; its adapter is ``canadapost``."""

from __future__ import annotations

import pytest

from parcel_watch.detect import detect
from parcel_watch.poller import configured_credentials
from parcel_watch.routing import choose_source

ENV = {
    "PARCEL_WATCH_CANADAPOST_API_KEY": "cp-user:cp-password",
    "PARCEL_WATCH_DPD_CLIENT_ID": "delis01",
    "PARCEL_WATCH_DPD_CLIENT_SECRET": "dpd-password",
    "PARCEL_WATCH_17TRACK_API_KEY": "17-key",
}


@pytest.mark.parametrize(
    ("number", "carrier", "adapter"),
    [
        ("0073938000549297", "canada_post", "canadapost"),  # 16 digits, mod 10
        ("0998 0000 0200 34D", "dpd", "dpd"),  # 14 + MOD 37,36 check character
        ("00 81827 0998 0000 0200 33 350 276 C", "dpd", "dpd"),  # the 28-character label barcode
    ],
)
def test_detected_numbers_use_their_adapter_when_configured(number: str, carrier: str, adapter: str) -> None:
    best = detect(number)[0]
    assert (best.carrier, best.valid_checksum) == (carrier, True)
    assert choose_source(best.carrier, configured_credentials(ENV)) == adapter
    without = {name: value for name, value in ENV.items() if f"_{adapter.upper()}_" not in name}
    assert choose_source(best.carrier, configured_credentials(without)) == "17track"
    assert choose_source(best.carrier, configured_credentials({})) is None


def test_their_credentials_come_from_the_environment() -> None:
    creds = configured_credentials(ENV)
    canada_key, dpd_secret = creds["canadapost"].api_key, creds["dpd"].client_secret
    assert canada_key is not None and canada_key.get_secret_value() == "cp-user:cp-password"
    assert creds["dpd"].client_id == "delis01"
    assert dpd_secret is not None and dpd_secret.get_secret_value() == "dpd-password"
    half = {"PARCEL_WATCH_DPD_CLIENT_ID": "delis01"}  # a delisId without its password is unusable
    assert "dpd" not in configured_credentials(half)
