"""The claims work queue: deadline order, the letter in English and Chinese, editing the
facts a draft depends on, the lifecycle, exporting the evidence pack, copying the letter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from claims import facts as claim_facts
from claims import lifecycle
from claims.evidence import verify_pack
from claims.model import ClaimStatus
from claims.queue import claim_queue
from parcel_watch.model import Money
from parcel_watch.store import Store
from tests.tui import hostile_store
from tests.tui.conftest import FROZEN, SIZE, sample_app
from tests.tui.pilot_tools import screen_text, settle
from tui.app import ParcelWatchApp
from tui.screens.claim_facts import ClaimFactsDialog
from tui.screens.claim_status import ClaimStatusDialog
from tui.widgets.claim_preview import ClaimPreview
from tui.widgets.claim_table import ClaimTable, claim_cells

DAMAGED_FEDEX = 1  # the sample's claim to FedEx for a damaged parcel (fedex.us, a draft)


async def open_claims(pilot: Pilot[None], claim_id: int | None = None) -> ClaimTable:
    await pilot.press("3")
    await settle(pilot)
    table = pilot.app.screen.query_one(ClaimTable)
    if claim_id is not None:
        table.move_cursor(row=table.get_row_index(str(claim_id)))
        await settle(pilot)
    return table


def preview(app: ParcelWatchApp) -> str:
    return str(app.screen.query_one(ClaimPreview).query_one(Static).render())


def column(table: ClaimTable, name: str) -> list[str]:
    [key] = [k for k, c in table.columns.items() if str(c.label) == name]
    return [str(table.get_cell(row, key)) for row in table.rows]


async def test_the_queue_lists_claims_to_file_by_deadline_and_closed_ones_last(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_claims(pilot)
        statuses, due = column(table, "Status"), column(table, "File by")
        assert table.row_count == 111
        to_file = [d for s, d in zip(statuses, due, strict=True) if s in ("draft", "ready")]
        dated = [d for d in to_file if d != "—"]
        assert dated == sorted(dated) and dated[0] == "2026-11-30"  # the last day is today
        assert to_file[len(dated) :] == ["—"] * (len(to_file) - len(dated))  # no deadline: after
        assert statuses[: len(to_file)] == ["draft"] * len(to_file)
        assert set(statuses[len(to_file) :]) == {"expired"}
        assert column(table, "Left")[0] == "today"
        assert "Claim 97 draft" in preview(app)  # the first row's letter


async def test_l_switches_the_letter_between_english_and_chinese(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_claims(pilot, DAMAGED_FEDEX)
        assert "Dear FedEx" in preview(app) and "letter in English" in preview(app)
        await pilot.press("l")
        await settle(pilot)
        chinese = preview(app)
        assert "letter in 中文" in chinese and "索赔" in chinese and "Dear FedEx" not in chinese
        await pilot.press("l")
        await settle(pilot)
        assert "Dear FedEx" in preview(app)


async def test_editing_the_price_paid_saves_the_facts_and_the_new_amount_shows(sample_db: str) -> None:
    app = sample_app(sample_db, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await open_claims(pilot, DAMAGED_FEDEX)
        assert "Amount: not computed yet" in preview(app)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ClaimFactsDialog)
        await pilot.press(*"80.00 USD")  # the first field: price paid
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Amount: 80.00 USD" in preview(app)
        claim = await lifecycle.get(app.ctx.store, DAMAGED_FEDEX)
        facts = await claim_facts.load(app.ctx.store, claim.shipment_id)
        assert facts is not None and facts.item_value == Money(amount=Decimal("80.00"), currency="USD")
        assert claim.amount == Money(amount=Decimal("80.00"), currency="USD")


async def test_a_value_that_does_not_parse_keeps_the_dialog_open_and_says_which(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_claims(pilot, DAMAGED_FEDEX)
        await pilot.press("e", *"80", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ClaimFactsDialog)
        assert "Price paid:" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        claim = await lifecycle.get(app.ctx.store, DAMAGED_FEDEX)
        assert await claim_facts.load(app.ctx.store, claim.shipment_id) is None


async def test_a_claim_moves_through_its_lifecycle_and_each_step_is_recorded(sample_db: str) -> None:
    app = sample_app(sample_db, user="alice")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        table = await open_claims(pilot, DAMAGED_FEDEX)

        async def move(expected_choices: list[str], note: str | None = None) -> None:
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, ClaimStatusDialog)
            options = app.screen.query_one(OptionList)
            offered = [options.get_option_at_index(i).id for i in range(options.option_count)]
            assert offered == expected_choices  # only what the lifecycle allows, usual step first
            if note:
                await pilot.press("tab", *note)
            await pilot.press("enter")
            await settle(pilot)

        await move(["ready", "expired"])
        await move(["filed", "draft", "expired"], note="sent by e-mail")
        await move(["acknowledged", "paid", "partially_paid", "denied"])
        await move(["paid", "partially_paid", "denied"], note="case 4711")

        assert table.claim_id == DAMAGED_FEDEX  # the cursor followed the claim down the queue
        assert column(table, "Status")[table.cursor_row] == "paid"
        assert "Claim 1 paid" in preview(app)
        trail = await lifecycle.history(app.ctx.store, DAMAGED_FEDEX)
        assert [(c.from_status, c.to_status, c.by, c.note) for c in trail[1:]] == [
            (ClaimStatus.DRAFT, ClaimStatus.READY, "alice", None),
            (ClaimStatus.READY, ClaimStatus.FILED, "alice", "sent by e-mail"),
            (ClaimStatus.FILED, ClaimStatus.ACKNOWLEDGED, "alice", None),
            (ClaimStatus.ACKNOWLEDGED, ClaimStatus.PAID, "alice", "case 4711"),
        ]
        assert "acknowledged → paid  by alice: case 4711" in preview(app)

        await pilot.press("s")  # paid is final: nothing to choose
        await pilot.pause()
        assert not isinstance(app.screen, ClaimStatusDialog)
        assert "that is final" in screen_text(app)


async def test_escape_leaves_the_status_as_it_was(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_claims(pilot, DAMAGED_FEDEX)
        await pilot.press("s", "escape")
        await settle(pilot)
        assert len(await lifecycle.history(app.ctx.store, DAMAGED_FEDEX)) == 1


async def test_x_exports_an_evidence_pack_that_verifies(sample_db: str, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    app = sample_app(sample_db, export_dir=exports)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_claims(pilot, DAMAGED_FEDEX)
        await pilot.press("x")
        await settle(pilot)
        [pack] = list(exports.iterdir())
        assert pack.name == "claim-1-20261130T120000Z"
        verified = verify_pack(pack)
        assert verified.ok, verified.problems
        assert "15 files, personal data redacted" in screen_text(app)


async def test_c_copies_the_letter_shown_and_saves_it_next_to_the_exports(
    sample_db: str, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    app = sample_app(sample_db, export_dir=exports)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_claims(pilot, DAMAGED_FEDEX)
        await pilot.press("l", "c")
        await settle(pilot)
        saved = exports / "claim-1.zh.txt"
        assert saved.read_text(encoding="utf-8") == app.clipboard
        assert "索赔" in app.clipboard and "819482199352" in app.clipboard
        assert "Copied to the clipboard" in screen_text(app)


async def test_filters_narrow_the_queue_by_status(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_claims(pilot)
        await pilot.press("f")  # all → draft
        await settle(pilot)
        assert table.row_count == 79 and set(column(table, "Status")) == {"draft"}
        await pilot.press("r", "r")  # to: carrier → seller (the sample has none)
        await settle(pilot)
        assert table.row_count == 0
        assert "No claim matches" in preview(app)


async def test_carrier_text_in_labels_and_letters_is_shown_literally(tmp_path: Path) -> None:
    url = await hostile_store.build(tmp_path / "hostile.db", draft=True)
    app = sample_app(url)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_claims(pilot)
        assert table.row_count > 0
        names = column(table, "Shipment")
        assert all(name.startswith(f"Lens {hostile_store.SHOWN}") for name in names)
        assert f"Lens {hostile_store.SHOWN}" in screen_text(app)
        letter = preview(app)
        assert f"({hostile_store.SHOWN})" in letter  # the service name the letter quotes
        assert "\x1b" not in letter and "pwned" not in letter
        quoted = next(n for n, line in enumerate(letter.splitlines()) if hostile_store.SHOWN in line)
        app.screen.query_one(ClaimPreview).scroll_to(y=quoted, animate=False)
        await pilot.pause()
        assert f"({hostile_store.SHOWN})" in screen_text(app)


async def test_days_left_are_red_when_overdue_and_yellow_within_a_week(sample_db: str) -> None:
    async with await Store.open(sample_db) as store:
        [item] = [q for q in await claim_queue(store, FROZEN) if q.claim.id == DAMAGED_FEDEX]
    drafted = replace(item, days_left=24)
    assert [
        (cell.plain, cell.style)
        for cell in (claim_cells(replace(drafted, days_left=d))[0] for d in (-3, 0, 7, 8))
    ] == [
        ("-3 d", "bold red"),
        ("today", "yellow"),
        ("7 d", "yellow"),
        ("8 d", ""),
    ]
    filed = replace(drafted, claim=replace(item.claim, status=ClaimStatus.FILED), days_left=-3)
    assert claim_cells(filed)[0].plain == "—"  # filed in time: no countdown any more


# -- snapshots ------------------------------------------------------------------------------


def _claims(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("3")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_snapshot_claims_queue_with_the_letter_in_english(snap_compare: Any, sample_db: str) -> None:
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=_claims())


def test_snapshot_claims_letter_in_chinese(snap_compare: Any, sample_db: str) -> None:
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=_claims("l"))


def test_snapshot_claims_at_80_by_24(snap_compare: Any, sample_db: str) -> None:
    assert snap_compare(sample_app(sample_db), terminal_size=(80, 24), run_before=_claims())


async def test_the_queue_is_usable_at_80_by_24(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_claims(pilot)
        assert table.row_count == 111 and table.size.height >= 5
        shown = screen_text(app)
        for visible in ("today", "2026-11-30", "draft", "Claim 97", "File by 2026-11-30", "s Status"):
            assert visible in shown
        await pilot.press("down", "down")
        await settle(pilot)
        assert "Claim 76" in screen_text(app)
