"""The add-a-shipment dialog on the sample store: candidates as you type, detection's pick or
the user's, what lands in the store, and numbers that are refused with nothing stored."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from parcel_watch.model import CarrierSource
from tests.tui.conftest import SIZE, sample_app
from tests.tui.pilot_tools import screen_text
from tui.app import ParcelWatchApp
from tui.screens.add_shipment import AddShipmentScreen
from tui.widgets.carrier_candidates import CarrierCandidates

AMBIGUOUS = "287809468872"  # Purolator's and FedEx's check digits both hold; Purolator ranks first
S10 = "RR876543216CN"


async def dialog(pilot: Pilot[None]) -> AddShipmentScreen:
    await pilot.pause()
    await pilot.press("a")  # the parcels list's key
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AddShipmentScreen)
    return screen


async def added(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def offered(screen: AddShipmentScreen) -> list[str]:
    return [c.carrier for c in screen.query_one(CarrierCandidates).candidates]


def pick_line(screen: AddShipmentScreen) -> str:
    return str(screen.query_one("#add-pick", Static).render())


def error_line(screen: AddShipmentScreen) -> str:
    return str(screen.query_one("#add-error", Static).render())


def toasts(app: ParcelWatchApp) -> list[str]:
    return [str(t.render()) for t in app.screen.query("Toast")]


async def test_candidates_follow_the_number_as_it_is_typed(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dialog(pilot)
        seen = []
        for char in AMBIGUOUS:
            await pilot.press(char)
            seen.append(offered(screen))
        assert seen[0] == []  # one digit is nobody's number
        assert seen[-1][:2] == ["purolator", "fedex"]
        assert len({tuple(s) for s in seen}) > 2  # the list changed on the way, not only at the end
        assert pick_line(screen) == "Adds as Purolator (purolator), detected"
        await pilot.press("backspace")
        assert offered(screen) == seen[-2]


async def test_detections_pick_is_stored_as_detected_and_shows_in_the_list(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await dialog(pilot)
        await pilot.press(*S10, "tab", *"tea from Hangzhou")
        await added(pilot)
        assert type(app.screen).__name__ == "ParcelsScreen"
        [stored] = await app.ctx.store.find(S10)
        assert (stored.carrier, stored.carrier_source, stored.label) == (
            "s10",
            CarrierSource.DETECTED,
            "tea from Hangzhou",
        )
        assert stored.origin_country == "CN"  # detection fills it, as the CLI's add does
        assert toasts(app)[0].startswith(f"Shipment added\n{S10}: S10 International Standard (s10)")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "tea from Hangzhou" in screen_text(app)  # the list reloaded when the dialog closed


async def test_a_carrier_chosen_with_the_arrows_is_stored_as_the_users_choice(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dialog(pilot)
        await pilot.press(*AMBIGUOUS, "down")
        assert pick_line(screen) == "Adds as FedEx (fedex), your choice"
        await added(pilot)
        [stored] = await app.ctx.store.find(AMBIGUOUS)
        assert (stored.carrier, stored.carrier_source) == ("fedex", CarrierSource.USER)


async def test_a_typed_carrier_is_the_users_choice_and_an_unknown_one_is_refused(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dialog(pilot)
        await pilot.press(*AMBIGUOUS, "tab", "tab", *"nope")
        await added(pilot)
        assert error_line(screen) == 'unknown carrier "nope" (see: parcel-watch carriers)'
        assert await app.ctx.store.find(AMBIGUOUS) == []
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"FedEx")
        assert error_line(screen) == ""  # editing clears the complaint
        await added(pilot)
        [stored] = await app.ctx.store.find(AMBIGUOUS)
        assert (stored.carrier, stored.carrier_source) == ("fedex", CarrierSource.USER)


async def test_an_invalid_number_is_explained_and_nothing_is_stored(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dialog(pilot)
        before = await app.ctx.store.count()
        await pilot.press(*"RR876543217CN")  # S10 with the wrong check digit
        assert offered(screen) == ["s10"]
        assert pick_line(screen).startswith("No carrier's format fits this number with a valid check digit")
        await added(pilot)
        assert error_line(screen) == (
            '"RR876543217CN" is not a valid S10 tracking number (check digit does not match)'
        )
        assert app.screen is screen and await app.ctx.store.count() == before
        # Choosing the carrier does not make a wrong check digit right.
        await pilot.press("down")
        await added(pilot)
        assert "check digit does not match" in error_line(screen)
        assert await app.ctx.store.count() == before


async def test_markup_and_escapes_typed_into_the_dialog_stay_literal(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await dialog(pilot)
        await pilot.press(*"[bold red]x[/]")
        await added(pilot)
        assert (
            error_line(screen) == '"[bold red]x[/]" does not look like a tracking number of any known carrier'
        )
        assert '"[bold red]x[/]" does not look like' in screen_text(app)
        for _ in range(15):
            await pilot.press("backspace")
        await pilot.press(*S10, "tab", *"[reverse]gift[/]")
        await added(pilot)
        [stored] = await app.ctx.store.find(S10)
        assert stored.label == "[reverse]gift[/]"
        assert "label: [reverse]gift[/]" in toasts(app)[0]


async def test_escape_cancels_without_adding(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await dialog(pilot)
        await pilot.press(*S10, "escape")
        assert type(app.screen).__name__ == "ParcelsScreen"
        # Enter on the focused Cancel button is that button, not "add".
        await dialog(pilot)
        await pilot.press(*S10, "tab", "tab", "tab", "tab")
        assert app.screen.focused is not None and app.screen.focused.id == "add-cancel"
        await added(pilot)
        assert type(app.screen).__name__ == "ParcelsScreen"
        assert await app.ctx.store.find(S10) == []


async def test_the_dialog_fits_80_by_24_and_its_buttons_work(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dialog(pilot)
        await pilot.press(*AMBIGUOUS)
        box = screen.query_one("#add-dialog").region
        assert box.right <= 80 and box.bottom <= 23  # above the footer
        assert "↑ Prev carrier  ↓ Next carrier  ⏎ Add  esc Cancel" in screen_text(app)
        await pilot.click("#add-submit")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [stored] = await app.ctx.store.find(AMBIGUOUS)
        assert stored.carrier == "purolator" and type(app.screen).__name__ == "ParcelsScreen"


# -- snapshots ----------------------------------------------------------------------------


async def _typed(pilot: Pilot[None]) -> None:
    await dialog(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
    await pilot.press(*AMBIGUOUS, "down", "tab", *"gift for Ana")
    await pilot.pause()


def test_snapshot_the_dialog_with_candidates(snap_compare: Any, sample_db: str) -> None:
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=_typed)
