"""Pilot helpers: wait until a screen has settled, and read what a user sees on it."""

from __future__ import annotations

import html
import re
from collections import defaultdict

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable

_CELL = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>'
)


CELL_WIDTH = 12.2  # pixels per terminal column in Textual's screenshots


def screen_text(app: App[object]) -> str:
    """Each screen line; text is placed at its column, so words keep their gaps."""
    rows: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for x, line, content in _CELL.findall(app.export_screenshot()):
        rows[int(line)].append((float(x), html.unescape(content).replace("\xa0", " ")))
    lines = []
    for n in range(max(rows, default=-1) + 1):
        out = ""
        for x, text in sorted(rows[n]):
            out = out.ljust(round(x / CELL_WIDTH)) + text
        lines.append(out.rstrip())
    return "\n".join(lines)


async def settle(pilot: Pilot[None]) -> None:
    """Workers done (a loaded list starts its detail's worker: twice), and every table has
    measured its rows — a table sizes its columns when idle, which a busy machine delays."""
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for _ in range(200):
        tables = pilot.app.screen.query(DataTable)
        # Column widths are measured when idle too (a private flag: no public "measured" state).
        if all(
            t.virtual_size.height >= t.row_count + int(t.show_header)
            and not getattr(t, "_require_update_dimensions", False)
            and not getattr(t, "_new_rows", ())
            for t in tables
        ):
            return
        await pilot.pause(0.02)
