"""The app shell: modes, theme, help, the sources bar and the feed worker."""

from __future__ import annotations

from tests.tui.conftest import SIZE, sample_app


async def test_number_keys_switch_between_the_four_screens(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for key in "2341":
            await pilot.press(key)
            seen.append(type(app.screen).__name__)
        assert seen == ["AnomaliesScreen", "ClaimsScreen", "CarriersScreen", "ParcelsScreen"]


async def test_ctrl_t_switches_between_dark_and_light(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"


async def test_question_mark_shows_and_hides_the_keys_of_the_screen(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        assert not app.screen.query("HelpPanel")


async def test_the_command_palette_offers_every_key_of_the_screen(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        names = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Parcels", "Anomalies", "Claims", "Carriers", "Help"} <= names
        await pilot.press("ctrl+p")
        await pilot.press(*"Claims")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ClaimsScreen"
