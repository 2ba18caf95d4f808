"""`parcel-watch parse --carrier ADAPTER FILE --json`: the contract for debugging payloads."""

from __future__ import annotations

import json
from pathlib import Path

from carriers import ADAPTERS
from tests.cli.conftest import ROOT, Cli

FIXTURES = ROOT / "tests" / "fixtures" / "carriers"
ONE_FIXTURE_EACH = {
    "dhl": "dhl/parcel_de_pre_transit_real.json",
    "ups": "ups/delivered.json",
    "fedex": "fedex/delivered_mixed_offsets.json",
    "usps": "usps/v3_delivered_parcel_locker.json",
    "17track": "17track/gettrackinfo_delivered_correios.json",
    "aftership": "aftership/v4_get_tracking_in_transit_postnl.json",
    "easypost": "easypost/tracker_pre_transit_usps.json",
    "canadapost": "canadapost/tracking_detail_delivered.xml",
    "dpd": "dpd/parcel_lifecycle_soap.xml",
    "royalmail": "royalmail/in_transit_redirected.json",
    "laposte": "laposte/suivi_v2.json",
    "sfexpress": "sf_express/routes_delivered.json",
}


def test_every_adapter_prints_the_contract_and_matches_its_expected_result(cli: Cli) -> None:
    assert set(ONE_FIXTURE_EACH) == set(ADAPTERS)
    runs = cli.many(
        *(
            ("parse", "--carrier", slug, str(FIXTURES / path), "--json")
            for slug, path in ONE_FIXTURE_EACH.items()
        )
    )
    for (slug, path), run in zip(ONE_FIXTURE_EACH.items(), runs, strict=True):
        assert run.code == 0, (slug, run.err)
        printed = run.json()
        assert set(printed) == {"shipments", "errors"}
        expected = json.loads((FIXTURES / path).with_suffix(".expected.json").read_text())
        assert printed == expected, slug
        for shipment in printed["shipments"]:
            assert {"tracking_number", "status", "estimated_delivery", "events"} <= set(shipment)
            for event in shipment["events"]:
                assert {
                    "occurred_at",
                    "status",
                    "substatus",
                    "carrier_code",
                    "description",
                    "location",
                } <= set(event)
                assert set(event["location"]) == {"city", "region", "postal_code", "country"}


def test_bad_payloads_and_bad_calls_are_clear_errors(cli: Cli, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b'{"output": {"completeTrackResults": [')
    truncated, unknown, missing = cli.many(
        ("parse", "--carrier", "fedex", str(garbage), "--json"),
        ("parse", "--carrier", "pigeon", str(garbage)),
        ("parse", "--carrier", "ups", str(tmp_path / "nope.json")),
    )
    assert truncated.code == 4 and truncated.json()["shipments"] == []
    assert truncated.json()["errors"][0]["kind"] == "malformed"
    assert unknown.code == 4 and "unknown adapter 'pigeon'" in unknown.err
    assert missing.code == 4 and "cannot read" in missing.err
