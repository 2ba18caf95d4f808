"""Every endpoint over real HTTP, on SQLite and PostgreSQL: what a client sees."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from yarl import URL

from parcel_watch import api
from parcel_watch.store import Store
from tests.api.conftest import SECRET, Seeded

Client = TestClient[Any, Any]


async def get(client: Client, path: str, token: str, expect: int = 200, /, **params: Any) -> Any:
    resp = await client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert resp.status == expect, await resp.text()
    assert resp.content_type == "application/json"
    return await resp.json()


async def test_shipments_page_through_with_totals_and_next_links(client: Client, seeded: Seeded) -> None:
    first = await get(client, "/api/shipments", seeded.read, limit=2, sort="added")
    assert first["total"] == 3 and first["limit"] == 2 and first["offset"] == 0
    assert [s["id"] for s in first["items"]] == [seeded.never_scanned, seeded.stuck]
    following = URL(first["next"])
    assert following.path == "/api/shipments" and following.query["sort"] == "added"
    second = await get(client, following.path, seeded.read, **dict(following.query))
    assert [s["id"] for s in second["items"]] == [seeded.delivered]
    assert second["next"] is None and second["total"] == 3
    beyond = await get(client, "/api/shipments", seeded.read, offset=10)
    assert beyond["items"] == [] and beyond["total"] == 3 and beyond["next"] is None


async def test_shipments_filter_by_status_carrier_anomaly_and_text(client: Client, seeded: Seeded) -> None:
    delivered = await get(client, "/api/shipments", seeded.read, status="DELIVERED")
    assert [s["id"] for s in delivered["items"]] == [seeded.delivered]
    assert delivered["items"][0]["last_description"] == "Delivered"
    assert delivered["items"][0]["last_place"] == "AUSTIN, US"
    resp = await client.get(
        "/api/shipments?status=DELIVERED&status=PENDING", headers={"Authorization": f"Bearer {seeded.read}"}
    )
    assert {s["id"] for s in (await resp.json())["items"]} == {seeded.delivered, seeded.never_scanned}
    ups = await get(client, "/api/shipments", seeded.read, carrier="ups")
    assert [s["id"] for s in ups["items"]] == [seeded.stuck]
    troubled = await get(client, "/api/shipments", seeded.read, anomaly="true")
    assert [s["id"] for s in troubled["items"]] == [seeded.stuck]
    assert "stalled" in troubled["items"][0]["open_anomalies"]
    gift = await get(client, "/api/shipments", seeded.read, q="gif")
    assert [s["label"] for s in gift["items"]] == ["Gift"]


async def test_bad_query_parameters_are_400_with_each_problem_named(client: Client, seeded: Seeded) -> None:
    body = await get(
        client, "/api/shipments", seeded.read, 400, limit=0, status="LOST_IN_SPACE", sort="random"
    )
    details = " | ".join(body["error"]["details"])
    assert body["error"]["status"] == 400 and body["error"]["message"] == "bad query parameters"
    assert "query limit" in details and "query status" in details and "query sort" in details
    unknown = await get(client, "/api/shipments", seeded.read, 400, colour="red")
    assert "colour" in " ".join(unknown["error"]["details"])
    assert (await get(client, "/api/shipments/abc", seeded.read, 400))["error"]["message"].startswith(
        "shipment_id must be a positive whole number"
    )
    assert (await get(client, f"/api/shipments/{2**70}", seeded.read, 400))["error"]["status"] == 400


async def test_one_shipment_and_its_events_as_the_carrier_sent_them(client: Client, seeded: Seeded) -> None:
    one = await get(client, f"/api/shipments/{seeded.stuck}", seeded.read)
    assert (one["tracking_number"], one["carrier"], one["status"]) == (
        "1Z5R89390357567127",
        "ups",
        "IN_TRANSIT",
    )
    assert one["events"] == 2 and one["claims"] == [seeded.claim]
    assert {"stalled", "lost"} <= set(one["open_anomalies"])
    events = await get(client, f"/api/shipments/{seeded.stuck}/events", seeded.read)
    assert [e["status"] for e in events["items"]] == ["INFO_RECEIVED", "IN_TRANSIT"]
    # Carrier text is data: passed on exactly as received, JSON-escaped, never interpreted.
    assert events["items"][1]["description"] == "Origin scan [bold red]x[/] \x1b[2J"
    paged = await get(client, f"/api/shipments/{seeded.delivered}/events", seeded.read, limit=2, offset=4)
    assert [e["status"] for e in paged["items"]] == ["DELIVERED"] and paged["total"] == 5
    missing = await get(client, "/api/shipments/999999", seeded.read, 404)
    assert missing["error"]["message"] == "no shipment 999999"
    await get(client, "/api/shipments/999999/events", seeded.read, 404)


async def test_adding_a_number_detects_its_carrier_and_refuses_invalid_ones(
    client: Client, seeded: Seeded, store: Store
) -> None:
    headers = {"Authorization": f"Bearer {seeded.write}"}
    resp = await client.post(
        "/api/shipments",
        json={"tracking_number": "1Z 999 AA1 01 2345 6784", "label": "Boots"},
        headers=headers,
    )
    assert resp.status == 201, await resp.text()
    added = await resp.json()
    assert added["created"] and added["detected_carrier"] == "ups"
    assert (
        added["shipment"]["label"] == "Boots" and added["shipment"]["tracking_number"] == "1Z999AA10123456784"
    )
    again = await client.post(
        "/api/shipments",
        json={"tracking_number": "1Z999AA10123456784", "label": "Red boots"},
        headers=headers,
    )
    assert again.status == 200 and (await again.json())["shipment"]["label"] == "Red boots"
    invalid = await client.post("/api/shipments", json={"tracking_number": "hello there"}, headers=headers)
    assert invalid.status == 422
    assert (await invalid.json())["error"]["message"]
    wrong_carrier = await client.post(
        "/api/shipments", json={"tracking_number": "1Z999AA10123456784", "carrier": "dhl"}, headers=headers
    )
    assert wrong_carrier.status == 422
    not_json = await client.post("/api/shipments", data=b"{", headers=headers)
    assert not_json.status == 400
    missing = await client.post("/api/shipments", json={"label": "no number"}, headers=headers)
    assert missing.status == 400 and "tracking_number" in " ".join((await missing.json())["error"]["details"])
    assert len(await store.find("1Z999AA10123456784")) == 1


async def test_anomalies_listed_and_filtered(client: Client, seeded: Seeded) -> None:
    found = await get(client, "/api/anomalies", seeded.read)
    kinds = {a["kind"] for a in found["items"]}
    assert {"stalled", "lost"} <= kinds and found["total"] == len(found["items"])
    assert all(a["shipment"]["id"] == seeded.stuck for a in found["items"])
    lost = await get(client, "/api/anomalies", seeded.read, kind="lost")
    assert [a["kind"] for a in lost["items"]] == ["lost"] and lost["items"][0]["claims"] == 1
    assert lost["items"][0]["nearest_deadline"] == "2026-04-30" and lost["items"][0]["days_left"] == 20
    none = await get(client, "/api/anomalies", seeded.read, shipment_id=seeded.delivered)
    assert none["items"] == [] and none["total"] == 0
    await get(client, "/api/anomalies", seeded.read, 400, state="closed")
    unknown = await get(client, "/api/anomalies", seeded.read, 400, kind="bored")
    assert "query kind" in unknown["error"]["details"][0]


async def test_claims_listed_read_and_moved_along_their_lifecycle(client: Client, seeded: Seeded) -> None:
    listed = await get(client, "/api/claims", seeded.read)
    [claim] = listed["items"]
    assert claim["id"] == seeded.claim and claim["status"] == "draft" and claim["days_left"] == 20
    assert claim["amount"] == {"amount": "80.00", "currency": "USD"}
    assert claim["allowed_next"] == ["expired", "ready"]
    assert (await get(client, "/api/claims", seeded.read, status="paid"))["total"] == 0
    one = await get(client, f"/api/claims/{seeded.claim}", seeded.read)
    assert one["document"] == {"letter": "hi"} and [h["to_status"] for h in one["history"]] == ["draft"]

    headers = {"Authorization": f"Bearer {seeded.write}"}
    path = f"/api/claims/{seeded.claim}/status"
    moved = await client.post(path, json={"status": "ready", "note": "photos attached"}, headers=headers)
    assert moved.status == 200, await moved.text()
    body = await moved.json()
    assert body["status"] == "ready"
    assert body["history"][-1] | {"at": None} == {
        "from_status": "draft",
        "to_status": "ready",
        "by": "api:helpdesk",
        "at": None,
        "note": "photos attached",
    }
    refused = await client.post(path, json={"status": "paid"}, headers=headers)
    assert refused.status == 409
    message = (await refused.json())["error"]["message"]
    assert "cannot go from ready to paid" in message and "filed" in message
    nowhere = await client.post("/api/claims/999999/status", json={"status": "ready"}, headers=headers)
    assert nowhere.status == 404
    bogus = await client.post(path, json={"status": "won"}, headers=headers)
    assert bogus.status == 400


async def test_the_carrier_report(client: Client, seeded: Seeded) -> None:
    report = await get(client, "/api/report/carriers", seeded.read)
    assert report["by"] == "carrier"
    rows = {r["carrier"]: r for r in report["rows"]}
    assert set(rows) == {"fedex", "ups", "usps"}
    assert rows["fedex"]["delivered"] == 1 and rows["ups"]["open_claims"] == 1
    assert rows["ups"]["open_claimed"] == {"USD": "80.00"}
    by_lane = await get(client, "/api/report/carriers", seeded.read, by="lane", since="2026-01-01")
    assert by_lane["by"] == "lane" and by_lane["since"] == "2026-01-01"
    await get(client, "/api/report/carriers", seeded.read, 400, by="weather")


async def test_the_openapi_document_lists_every_route(client: Client) -> None:
    resp = await client.get(api.OPENAPI_PATH)  # public: it describes, it holds no data
    assert resp.status == 200
    doc = await resp.json()
    assert doc["openapi"] == "3.1.0"
    operations = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert operations == {(r.method, r.path) for r in api.ROUTES}
    listing = doc["paths"]["/api/shipments"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"limit", "offset", "status", "carrier", "sort"}
    assert listing["responses"]["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    assert "Status" in doc["components"]["schemas"]


async def test_unknown_api_paths_answer_json_and_webhooks_live_on_the_same_server(
    client: Client, seeded: Seeded
) -> None:
    lost = await get(client, "/api/nowhere", seeded.read, 404)
    assert lost["error"]["status"] == 404
    wrong_method = await client.delete("/api/shipments", headers={"Authorization": f"Bearer {seeded.read}"})
    assert wrong_method.status == 405 and (await wrong_method.json())["error"]["status"] == 405
    # The carriers' pushes keep their own signature check (no API token involved).
    hook = await client.post("/webhooks/easypost", data=b"{}", headers={"Authorization": f"Bearer {SECRET}"})
    assert hook.status == 401 and await hook.text() == "bad or missing signature"
