"""`parcel-watch demo`: the real adapters and poller against the sandbox carrier, end to end."""

from __future__ import annotations

from tests.cli.conftest import Cli

DELIVERED_SCENARIOS = ("on_time", "late", "damaged", "customs_hold", "failed_attempts", "pickup_point")


def test_demo_tracks_every_scenario_to_its_outcome_through_every_adapter(cli: Cli) -> None:
    run = cli("--db", cli.db, "demo", "--headless", "--json", "--seed", "7")
    assert run.code == 0, run.err
    summary = run.json()
    assert summary["database"] == cli.db
    assert summary["shipments"] == 40 and summary["events"] > 300 and summary["errors"] == 0
    assert set(summary["by_carrier"]) == {"dhl", "fedex", "s10", "ups", "usps"}
    assert all(source["ok"] for source in summary["sources"].values())
    shipments = cli("list", "--json").json()
    assert len(shipments) == 40
    for s in shipments:
        scenario = s["label"].removeprefix("demo: ")
        if scenario in DELIVERED_SCENARIOS:
            assert s["status"] == "DELIVERED", s
        elif scenario == "returned":
            assert s["status"] in ("RETURNED", "RETURNING"), s  # some APIs have no "returned" code
    again = cli("--db", cli.db + ".2", "demo", "--headless", "--json", "--seed", "7")
    assert {k: again.json()[k] for k in ("shipments", "events", "by_status")} == {
        k: summary[k] for k in ("shipments", "events", "by_status")
    }
