"""The status bar: each carrier source's health (ok, rate-limited until …, failing since …)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from parcel_watch.textsafe import clean

Sources = Mapping[str, Mapping[str, object]]


def _time(value: object, zone: tzinfo, now: datetime) -> str:
    if not isinstance(value, str):
        return "?"
    at = datetime.fromisoformat(value).astimezone(zone)
    same_day = at.date() == now.astimezone(zone).date()
    return at.strftime("%H:%M" if same_day else "%d %b %H:%M")


def describe_sources(sources: Sources, now: datetime, zone: tzinfo, notifications_failing: int = 0) -> Text:
    """One line: ``● fedex ok  ◐ ups rate-limited until 10:42  ✖ dhl failing since 09:10 (…)``,
    led by ``✉ 2 notifications failing`` when sends failed (first: a narrow terminal cuts
    the end of the line).

    The error text comes from carriers' answers: it is cleaned and never read as markup."""
    line = _sources_line(sources, now, zone)
    if not notifications_failing:
        return line
    plural = "s" if notifications_failing != 1 else ""
    lead = Text("✉ ", style="red").append(f"{notifications_failing} notification{plural} failing  ")
    return lead.append_text(line)


def _sources_line(sources: Sources, now: datetime, zone: tzinfo) -> Text:
    if not sources:
        return Text("no carrier source is polling", style="dim")
    line = Text()
    for slug, h in sorted(sources.items()):
        retry = h.get("retry_at")
        limited = isinstance(retry, str) and datetime.fromisoformat(retry) > now
        if h.get("ok") and not limited:
            line.append("● ", style="green")
            line.append(f"{slug} ok")
        elif h.get("ok") or (limited and not h.get("failing_since")):
            line.append("◐ ", style="yellow")
            line.append(f"{slug} rate-limited until {_time(retry, zone, now)}")
        else:
            line.append("✖ ", style="red")
            line.append(f"{slug} failing since {_time(h.get('failing_since'), zone, now)}")
            if h.get("last_error"):
                line.append(f" ({clean(str(h['last_error']))[:60]})", style="dim")
        line.append("  ")
    line.rstrip()
    return line


class SourcesBar(Static):
    """Shows the app's ``sources``; every screen has one above its footer."""

    DEFAULT_CSS = """
    SourcesBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    sources: reactive[dict[str, dict[str, object]]] = reactive(dict, always_update=True)

    def on_mount(self) -> None:
        self.watch(self.app, "sources", self._app_changed, init=True)
        self.watch(self.app, "notifications_failing", self._app_changed, init=False)

    def _app_changed(self, _: object = None) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        failing = self.app.notifications_failing  # type: ignore[attr-defined]
        self.update(describe_sources(self.app.sources, ctx.clock(), ctx.user_zone, failing))  # type: ignore[attr-defined]
