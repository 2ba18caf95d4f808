"""The status bar's words for each source's health, and the feed that fills it live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.tui.conftest import FROZEN, SIZE, opener
from tui.app import ParcelWatchApp
from tui.feeds import FeedReport
from tui.widgets.sources_bar import SourcesBar, describe_sources

BERLIN = ZoneInfo("Europe/Berlin")


def test_ok_rate_limited_and_failing_sources_read_as_such_in_the_users_time() -> None:
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    line = describe_sources(
        {
            "fedex": {"ok": True, "failing_since": None, "last_error": None, "retry_at": None},
            "ups": {
                "ok": True,
                "failing_since": None,
                "last_error": "429",
                "retry_at": (now + timedelta(minutes=42)).isoformat(),
            },
            "dhl": {
                "ok": False,
                "failing_since": (now - timedelta(hours=1)).isoformat(),
                "last_error": "HTTP 503 [bold]busy[/bold]\x1b[2J",
                "retry_at": None,
            },
        },
        now,
        BERLIN,
    )
    assert line.plain == (
        "✖ dhl failing since 09:00 (HTTP 503 [bold]busy[/bold])  ● fedex ok  ◐ ups rate-limited until 10:42"
    )


def test_no_source_says_nothing_is_polling() -> None:
    assert describe_sources({}, FROZEN, BERLIN).plain == "no carrier source is polling"


async def test_a_feed_reports_sources_and_changes_into_the_bar(sample_db: str) -> None:
    async def feed(report: FeedReport) -> None:
        report.sources({"fedex": {"ok": False, "failing_since": FROZEN.isoformat(), "last_error": "timeout"}})
        report.changed(3)

    app = ParcelWatchApp(opener(sample_db), lambda ctx: feed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        bar = app.screen.query_one(SourcesBar)
        assert str(bar.render()) == "✖ fedex failing since 13:00 (timeout)"
