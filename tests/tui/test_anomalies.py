"""The anomalies screen: open problems by urgency, the selected one's details and history,
opening its shipment, drafting its claims, resolved ones on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from claims import lifecycle
from claims.evaluation import evaluate
from parcel_watch.status import Status
from tests.factories import event, item, update
from tests.tui import hostile_store
from tests.tui.conftest import FROZEN, SIZE, sample_app
from tests.tui.pilot_tools import screen_text, settle
from tui.app import ParcelWatchApp
from tui.messages import StoreChanged
from tui.screens.anomalies import AnomaliesScreen
from tui.widgets.anomaly_details import AnomalyDetails
from tui.widgets.anomaly_table import AnomalyTable


async def open_anomalies(pilot: Pilot[None]) -> AnomalyTable:
    await pilot.press("2")
    await settle(pilot)
    return pilot.app.screen.query_one(AnomalyTable)


def details(app: ParcelWatchApp) -> str:
    return str(app.screen.query_one(AnomalyDetails).query_one(Static).render())


def column(table: AnomalyTable, name: str) -> list[str]:
    [key] = [k for k, c in table.columns.items() if str(c.label) == name]
    return [str(table.get_cell(row, key)) for row in table.rows]


def select(table: AnomalyTable, shipment_name_start: str, kind: str) -> None:
    names, kinds = column(table, "Shipment"), column(table, "Anomaly")
    row = next(
        n
        for n, (s, k) in enumerate(zip(names, kinds, strict=True))
        if s.startswith(shipment_name_start) and k == kind
    )
    table.move_cursor(row=row)


async def test_anomalies_come_by_the_nearest_deadline_of_their_claims(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_anomalies(pilot)
        assert table.row_count == 67
        left, claims = column(table, "Left"), column(table, "Claims")
        with_deadline = [x for x in left if x != "—"]
        assert left[: len(with_deadline)] == with_deadline  # those with a deadline first
        days = [0 if x == "today" else int(x.removesuffix(" d")) for x in with_deadline]
        assert days == sorted(days) and days[0] == 0
        assert all(c != "—" for c in claims[: len(with_deadline)])
        first = details(app)
        assert first.startswith("delivered late · demo: late")
        assert "Claims: 4 · nearest last filing day 2026-11-30 (today is the last day)" in first
        assert "History" in first and "opened" in first


async def test_enter_opens_the_shipment_of_the_selected_anomaly(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_anomalies(pilot)
        await pilot.press("down")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AnomaliesScreen)
        selected = screen.selected
        assert selected is not None and table.anomaly_id == selected.anomaly.id
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "DetailScreen"
        assert app.screen.shipment_id == selected.shipment.id  # type: ignore[attr-defined]


async def test_d_drafts_the_claims_of_the_selected_shipment(tmp_path: Path) -> None:
    url = await hostile_store.build(tmp_path / "fresh.db", draft=False)
    app = sample_app(url, user="alice")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        table = await open_anomalies(pilot)
        select(table, "Lens", "damaged")
        await settle(pilot)
        assert "No claim drafted for it" in details(app)
        await pilot.press("d")
        await settle(pilot)
        drafted = await lifecycle.list_claims(app.ctx.store)
        assert drafted and {c.anomaly.value for c in drafted} == {"damaged"}
        assert table.current_key is not None
        assert column(table, "Claims")[table.cursor_row] == str(len(drafted))
        assert f"Claims: {len(drafted)} · nearest last filing day" in details(app)
        assert f"{len(drafted)} claims drafted for Lens" in screen_text(app)


async def test_a_resolved_anomaly_leaves_the_list_and_a_shows_it_again(tmp_path: Path) -> None:
    url = await hostile_store.build(tmp_path / "fresh.db", draft=False)
    app = sample_app(url)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_anomalies(pilot)
        before = table.row_count
        delivered = event(10**6, Status.DELIVERED, "DL", city="KOELN", country="DE", text="Delivered")
        await app.ctx.store.ingest(
            [item(update(hostile_store.DUTIES, delivered, carrier="ups"), carrier="ups")]
        )
        await evaluate(app.ctx.store, FROZEN)
        app.screen.post_message(StoreChanged(1))  # as the feed reports a write
        await settle(pilot)
        assert table.row_count < before
        assert "duties due" not in column(table, "Anomaly")
        await pilot.press("a")
        await settle(pilot)
        kinds = column(table, "Anomaly")
        assert table.row_count == before and kinds[-1] == "duties due (resolved)"
        assert "resolved shown (a)" in screen_text(app)


async def test_carrier_text_in_anomaly_details_is_shown_literally(tmp_path: Path) -> None:
    url = await hostile_store.build(tmp_path / "hostile.db", draft=True)
    app = sample_app(url)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_anomalies(pilot)
        select(table, hostile_store.DUTIES, "duties due")
        await settle(pilot)
        text = details(app)
        assert f"carrier_text: Import duties of EUR 23.50 due {hostile_store.SHOWN}" in text
        assert "\x1b" not in text and "pwned" not in text
        shown = screen_text(app)
        assert f"Import duties of EUR 23.50 due {hostile_store.SHOWN}" in shown
        assert f"Lens {hostile_store.SHOWN}" in shown  # the label, in the table


def test_snapshot_anomalies(snap_compare: Any, sample_db: str) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=run_before)
