"""The claims work queue: every claim by deadline, the selected one's letter previewed (en or
中文), its facts edited, its status moved, its evidence pack exported, its letter copied.

The data is ``claims.queue`` and the claims engine; this screen only shows it and asks for
what the user decides. Reads run in exclusive workers (a newer read replaces an older
one); writes run in a group of their own that never cancels itself, so a second key press
cannot interrupt an export or a status change half-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from claims import facts as claim_facts
from claims import lifecycle
from claims.claiming import draft_open_claims
from claims.evidence_files import ShipmentGone
from claims.facts import FactsError
from claims.lifecycle import ClaimError
from claims.model import ClaimFacts, ClaimStatus, Party
from claims.outbox import export_pack, save_letter
from claims.queue import QueuedClaim, Stage, claim_queue
from parcel_watch.textsafe import clean
from tui.messages import OpenShipment
from tui.screens.base import DashboardScreen
from tui.screens.claim_facts import ClaimFactsDialog
from tui.screens.claim_status import ClaimStatusDialog, StatusChoice, next_statuses
from tui.widgets.claim_preview import LANGUAGE_NAMES, ClaimPreview, preview_text
from tui.widgets.claim_table import SOON_DAYS, ClaimTable

STATUS_FILTERS: tuple[ClaimStatus | None, ...] = (None, *ClaimStatus)
RESPONDENT_FILTERS: tuple[Party | None, ...] = (None, *Party)
T = TypeVar("T")


def _next(options: tuple[T, ...], current: T) -> T:
    return options[(options.index(current) + 1) % len(options)]


def filter_line(items: list[QueuedClaim], status: ClaimStatus | None, respondent: Party | None) -> Text:
    to_file = [i for i in items if i.stage is Stage.TO_FILE]
    overdue = sum(1 for i in to_file if i.overdue)
    soon = sum(1 for i in to_file if i.days_left is not None and 0 <= i.days_left <= SOON_DAYS)
    line = Text(f"{len(items)} claims · {len(to_file)} to file")
    if soon:
        line.append(f" · {soon} due within {SOON_DAYS} days", style="yellow")
    if overdue:
        line.append(f" · {overdue} overdue", style="bold red")
    line.append(f"   status: {status.value if status else 'all'} (f)", style="dim")
    line.append(f" · to: {respondent.value if respondent else 'all'} (r)", style="dim")
    return line


class ClaimsScreen(DashboardScreen):
    CSS_PATH = "../styles/claims.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "l", "switch_language", "en/中文", id="claims.language", tooltip="Letter in English or Chinese"
        ),
        Binding("e", "edit_facts", "Edit", id="claims.edit", tooltip="Price paid, declared value…; redrafts"),
        Binding(
            "s", "move_status", "Status", id="claims.status", tooltip="Move the claim through its lifecycle"
        ),
        Binding(
            "x", "export_pack", "Export", id="claims.export", tooltip="Write the evidence pack (redacted)"
        ),
        Binding(
            "c", "copy_letter", "Copy", id="claims.copy", tooltip="Copy the letter; also saved to a file"
        ),
        Binding(
            "f", "filter_status", "Status filter", id="claims.filter", tooltip="Only claims of one status"
        ),
        Binding(
            "r", "filter_respondent", "To filter", id="claims.respondent", tooltip="Only claims to one party"
        ),
    ]

    language: reactive[str | None] = reactive(None)  # None: the language each claim was drafted in
    status_filter: reactive[ClaimStatus | None] = reactive(None, init=False)
    respondent_filter: reactive[Party | None] = reactive(None, init=False)

    @dataclass
    class QueueLoaded(Message):
        items: list[QueuedClaim]

    @dataclass
    class PreviewLoaded(Message):
        key: tuple[int, str]  # (claim id, language)
        text: Text

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[int, QueuedClaim] = {}
        self._previewed: tuple[int, str] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="claims-filters")
        yield ClaimTable(id="claims-table")
        yield ClaimPreview(id="claims-preview")

    # -- reading ------------------------------------------------------------------------

    async def reload(self) -> None:
        self._load_queue()

    @work(group="claims-queue", exclusive=True)
    async def _load_queue(self) -> None:
        items = await claim_queue(
            self.ctx.store, self.ctx.clock(), status=self.status_filter, respondent=self.respondent_filter
        )
        self.post_message(self.QueueLoaded(items))

    @on(QueueLoaded)
    def _queue_loaded(self, message: QueueLoaded) -> None:
        self._items = {item.claim.id: item for item in message.items}
        self.query_one(ClaimTable).show(message.items)
        self.query_one("#claims-filters", Static).update(
            filter_line(message.items, self.status_filter, self.respondent_filter)
        )
        self._preview()

    @property
    def selected(self) -> QueuedClaim | None:
        claim_id = self.query_one(ClaimTable).claim_id
        return self._items.get(claim_id) if claim_id is not None else None

    def shown_language(self, item: QueuedClaim) -> str:
        own = str(item.claim.document.get("language", "en"))
        return self.language or (own if own in LANGUAGE_NAMES else "en")

    def _preview(self) -> None:
        item = self.selected
        if item is None:
            self._previewed = None
            self.query_one(ClaimPreview).clear_claim("No claim matches: f and r change the filters")
            return
        self._load_preview(item)

    @work(group="claims-preview", exclusive=True)
    async def _load_preview(self, item: QueuedClaim) -> None:
        history = await lifecycle.history(self.ctx.store, item.claim.id)
        language = self.shown_language(item)
        text = preview_text(item.claim, item.days_left, history, language, self.ctx.user_zone)
        self.post_message(self.PreviewLoaded((item.claim.id, language), text))

    @on(PreviewLoaded)
    def _preview_loaded(self, message: PreviewLoaded) -> None:
        self.query_one(ClaimPreview).show(message.text, from_top=message.key != self._previewed)
        self._previewed = message.key

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._preview()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_shipment()

    def watch_language(self) -> None:
        if self.is_mounted:
            self._preview()

    async def watch_status_filter(self) -> None:
        await self.reload()

    async def watch_respondent_filter(self) -> None:
        await self.reload()

    # -- actions ------------------------------------------------------------------------

    def action_open_shipment(self) -> None:
        if (item := self.selected) is not None:
            self.post_message(OpenShipment(item.shipment.id))

    def action_switch_language(self) -> None:
        item = self.selected
        current = self.shown_language(item) if item is not None else (self.language or "en")
        self.language = "zh" if current == "en" else "en"

    def action_filter_status(self) -> None:
        self.status_filter = _next(STATUS_FILTERS, self.status_filter)

    def action_filter_respondent(self) -> None:
        self.respondent_filter = _next(RESPONDENT_FILTERS, self.respondent_filter)

    async def action_edit_facts(self) -> None:
        item = self.selected
        if item is None:
            return
        facts = await claim_facts.load(self.ctx.store, item.shipment.id) or ClaimFacts()

        def saved(new: ClaimFacts | None) -> None:
            if new is not None:
                self._save_facts(item, new)

        self.app.push_screen(ClaimFactsDialog(item.shipment.name, facts), saved)

    @work(group="claims-write", exclusive=False)
    async def _save_facts(self, item: QueuedClaim, facts: ClaimFacts) -> None:
        now = self.ctx.clock()
        try:
            await claim_facts.save(self.ctx.store, item.shipment.id, facts, now)
        except FactsError as exc:
            self.notify(clean(str(exc)), title="Facts not saved", severity="error", markup=False)
            return
        run = await draft_open_claims(self.ctx.store, now, by=self.ctx.user, shipment_id=item.shipment.id)
        self.notify(
            f"Facts of {clean(item.shipment.name)} saved; {len(run.claims)} claims drafted again",
            title="Claim facts",
            markup=False,
        )
        await self.reload()

    def action_move_status(self) -> None:
        item = self.selected
        if item is None:
            return
        claim = item.claim
        if not next_statuses(claim.status):
            self.notify(f"Claim {claim.id} is {claim.status.value}: that is final", severity="warning")
            return

        def chosen(choice: StatusChoice | None) -> None:
            if choice is not None:
                self._set_status(claim.id, claim.status, choice)

        self.app.push_screen(ClaimStatusDialog(claim.id, claim.status), chosen)

    @work(group="claims-write", exclusive=False)
    async def _set_status(self, claim_id: int, old: ClaimStatus, choice: StatusChoice) -> None:
        try:
            await lifecycle.set_status(
                self.ctx.store,
                claim_id,
                choice.status,
                by=self.ctx.user,
                now=self.ctx.clock(),
                note=choice.note,
            )
        except ClaimError as exc:  # another user moved it meanwhile
            self.notify(clean(str(exc)), title="Status not changed", severity="error", markup=False)
        else:
            self.notify(f"Claim {claim_id}: {old.value} → {choice.status.value}", title="Claim status")
        await self.reload()

    def action_export_pack(self) -> None:
        if (item := self.selected) is not None:
            self._export(item.claim.id)

    @work(group="claims-write", exclusive=False)
    async def _export(self, claim_id: int) -> None:
        try:
            result = await export_pack(self.ctx.store, self.ctx.export_dir, claim_id, self.ctx.clock())
        except (OSError, ShipmentGone, ClaimError) as exc:
            self.notify(clean(str(exc)), title="Export failed", severity="error", markup=False)
            return
        self.notify(
            f"{result.files} files, personal data redacted, in\n{result.directory}",
            title=f"Evidence pack of claim {claim_id}",
            markup=False,
            timeout=10,
        )

    def action_copy_letter(self) -> None:
        item = self.selected
        if item is None:
            return
        language = self.shown_language(item)
        try:
            path, text = save_letter(self.ctx.export_dir, item.claim, language)
        except OSError as exc:
            self.notify(clean(str(exc)), title="Letter not saved", severity="error", markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify(
            f"Copied to the clipboard; also saved to {path}",
            title=f"Letter of claim {item.claim.id} ({LANGUAGE_NAMES[language]})",
            markup=False,
            timeout=10,
        )
