"""Property: a mangled carrier payload, parsed and ingested like a real one, never harms the store.

The parsers are fuzzed alone (tests/carriers/test_parser_contract.py) and ingest is
property-tested alone (test_ingest_properties.py); this runs them together. For every
adapter: ingest a fixture's clean result into a real SQLite store, then a truncated,
byte-flipped or (JSON) value-replaced copy of the same bytes. Only typed CarrierErrors, as
values, may come out; the store must reopen and read, keep every event it had, and hold
states that are the fold of their events; and re-delivering the clean payload adds nothing.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import os
import shutil
import string
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import groupby, permutations, product
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from carriers import ADAPTERS, adapter
from carriers.base import ParseResult
from carriers.errors import CarrierError
from parcel_watch.model import Location, ShipmentUpdate, Source, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, IngestResult, RawPayload, Store
from parcel_watch.store.schema import estimate_revisions, events
from parcel_watch.timeline import ShipmentState, advance, time_order
from tests.carriers.parsers import fixtures, sound
from tests.carriers.test_parser_contract import JSON_VALUES, TRICKY, paths, replaced

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
DIGITS, LETTERS = string.digits.encode(), string.ascii_letters.encode()
ASKED = "01234567890123"  # the number "polled" from adapters whose answers do not name it

EventRows = dict[int, tuple[Any, ...]]  # every stored event row, whole, by id


@st.composite
def flipped(draw: st.DrawFn, raw: bytes) -> bytes:
    out = bytearray(raw)
    # Mostly a digit for a digit or a letter for a letter: the body stays well-formed but a
    # time, code or place changes, so the store gets new events. Else any bits of any bytes.
    like = draw(st.sampled_from([DIGITS, DIGITS, LETTERS, b""]))
    where = [i for i, byte in enumerate(raw) if byte in like] if like else range(len(raw))
    for index in draw(st.lists(st.sampled_from(where), min_size=1, max_size=4)):
        out[index] = draw(st.sampled_from(like)) if like else raw[index] ^ draw(st.integers(1, 255))
    return bytes(out)


def leaves(doc: Any, key: Any = None) -> Iterator[tuple[Any, Any]]:
    """(key, value) of every scalar in the document."""
    if isinstance(doc, dict):
        for k, value in doc.items():
            yield from leaves(value, k)
    elif isinstance(doc, list):
        for value in doc:
            yield from leaves(value, key)
    else:
        yield key, doc


@st.composite
def replacements(draw: st.DrawFn, raw: bytes) -> bytes:
    doc = json.loads(raw)
    by_key: dict[Any, list[Any]] = defaultdict(list)
    for key, value in leaves(doc):
        by_key[key].append(value)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths(doc))))
        # Besides arbitrary values, one found under the same key elsewhere in the payload:
        # another scan's time or code still parses, so events change rather than vanish.
        key = next((k for k in reversed(path) if isinstance(k, str)), None)
        own = by_key.get(key) or [None]
        doc = replaced(doc, path, draw(st.sampled_from(own) | JSON_VALUES | TRICKY))
    return json.dumps(doc).encode()


def mangled(raw: bytes, is_json: bool) -> st.SearchStrategy[bytes]:
    cut = st.integers(0, len(raw) - 1).map(lambda n: raw[:n])
    if not is_json:
        return cut | flipped(raw)
    # Replacement twice as often: it is the mangling that most often still yields events.
    return cut | flipped(raw) | replacements(raw) | replacements(raw)


def parsed(slug: str, raw: bytes) -> list[ShipmentUpdate]:
    """A body as the webhook receiver takes it (every update, creating shipments): anything
    but typed error values fails the test."""
    parse: Callable[..., ParseResult] = adapter(slug).parse
    # Answers that do not name their parcel (DPD, Canada Post) get the number asked for, as
    # their clients pass it; without one their shipments never reach the store.
    asked = {"tracking_number": ASKED} if "tracking_number" in inspect.signature(parse).parameters else {}
    result = sound(parse(raw, **asked))
    updates = result.updates()
    assert all(isinstance(error, CarrierError) for error in result.errors)
    return updates


async def ingest(store: Store, slug: str, raw: bytes) -> IngestResult:
    return await store.ingest([IngestItem(parsed(slug, raw), RawPayload(slug, raw, Source.WEBHOOK))])


async def stored_events(store: Store) -> EventRows:
    async with store.reading() as conn:
        return {row.id: tuple(row) for row in (await conn.execute(select(events))).all()}


def folds(timeline: Sequence[TrackingEvent]) -> set[ShipmentState]:
    """The states the fold gives for every arrival order of same-instant, same-status scans:
    exactly one since time_order breaks such ties by substatus (it once kept arrival order)."""
    ties = groupby(sorted(timeline, key=time_order), key=time_order)
    groups = [list({e.substatus: e for e in group}.values()) for _, group in ties]
    return {
        advance(ShipmentState(), [e for group in order for e in group])  # a stable sort keeps ties
        for order in product(*map(permutations, groups))
    }


async def assert_consistent(store: Store) -> None:
    """Each shipment's state is the fold of its stored events (read back through the store's
    own API, so every row must still make a valid model), and its current estimate is one of
    its recorded revisions (revisions are unique per value, so not always the last one)."""
    ships = await store.list()
    timelines = await store.timelines([s.id or 0 for s in ships])
    async with store.reading() as conn:
        query = select(estimate_revisions.c.shipment_id, estimate_revisions.c.estimated_delivery)
        revisions: dict[int, set[datetime]] = defaultdict(set)
        for sid, eta in (await conn.execute(query)).all():
            revisions[sid].add(eta)
    for s in ships:
        state = ShipmentState(s.status, s.substatus, s.last_event_at)
        assert {state} == (folded := folds(timelines[s.id or 0])), (s.tracking_number, state, folded)
        known = revisions[s.id or 0]
        eta = s.estimated_delivery
        assert eta in known if eta is not None else not known, s.tracking_number


async def scenario(template: Path, slug: str, clean: bytes, bad_ones: list[bytes]) -> int:
    """Runs the checks; returns how many new events the mangled payloads brought."""
    new = 0
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{shutil.copy(template, Path(tmp) / 'x.db')}"
        store = await Store.open(url)
        try:
            await ingest(store, slug, clean)
            for bad in bad_ones:  # a flaky source rarely sends just one bad answer
                before = await stored_events(store)
                new += (await ingest(store, slug, bad)).new_events
                after = await stored_events(store)
                assert {k: after.get(k) for k in before} == before  # nothing lost, nothing rewritten
        finally:
            await store.close()

        store = await Store.open(url)  # a fresh engine: the file itself must still be sound
        try:
            assert await stored_events(store) == after
            await assert_consistent(store)
            for raw in (clean, *bad_ones):  # every body kept as evidence, byte for byte
                kept = await store.payload(RawPayload(slug, raw).sha256)
                assert kept is not None and kept.body == raw

            again = await ingest(store, slug, clean)
            assert (again.new_events, again.shipments_created, again.payloads_stored) == (0, 0, 0)
            assert await stored_events(store) == after
            await assert_consistent(store)
            # The clean payload announces its estimates again: they are current once more.
            etas = {(u.carrier, u.tracking_number): u.estimated_delivery for u in parsed(slug, clean)}
            for ship in await store.list():
                if etas.get((ship.carrier, ship.tracking_number)) is not None:
                    assert ship.estimated_delivery == etas[ship.carrier, ship.tracking_number]
        finally:
            await store.close()
    return new


@functools.cache
def feeding(slug: str) -> list[Path]:
    """The fixtures that put events in the store: error bodies are fuzzed by the parser
    contract already, and here would mostly test an empty store."""
    return [f for f in fixtures(slug) if any(u.events for u in parsed(slug, f.read_bytes()))]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated store, copied per example: cheaper than migrating each time."""
    path = tmp_path_factory.mktemp("fuzz") / "template.db"

    async def make() -> None:
        await (await Store.open(f"sqlite+aiosqlite:///{path}")).close()

    asyncio.run(make())
    return path


@pytest.mark.parametrize("slug", list(ADAPTERS))
@FUZZ
@given(data=st.data())
def test_mangled_payload_never_breaks_the_store(template: Path, slug: str, data: st.DataObject) -> None:
    assert feeding(slug), f"{slug}: no fixture whose parse gives the store events"
    fixture = data.draw(st.sampled_from(feeding(slug)), label="fixture")
    clean = fixture.read_bytes()
    bad = data.draw(
        st.lists(mangled(clean, fixture.suffix == ".json"), min_size=1, max_size=3), label="mangled"
    )
    new = asyncio.run(scenario(template, slug, clean, bad))
    event(f"mangled payload: {'new events' if new else 'no new event'}")  # --hypothesis-show-statistics


SIGNED, UNSIGNED = (
    TrackingEvent(
        occurred_at=datetime(2022, 1, 24, 19, 0, tzinfo=UTC),
        status=Status.DELIVERED,
        substatus=substatus,
        carrier_code="D",
        description="DELIVERED",
        location=Location(city=city, country="US"),
    )
    for substatus, city in (("delivered.signed", "PARAMUS"), (None, None))
)


@pytest.mark.parametrize("batched", [True, False], ids=["one payload", "two payloads"])
def test_same_instant_scans_give_one_state_whatever_their_arrival_order(
    template: Path, batched: bool
) -> None:
    """What the fuzzing above found (UPS delivered.json with the signature and the city of
    the delivery scan removed): one scan re-sent with another location and substatus."""

    async def substatus(first: TrackingEvent, second: TrackingEvent) -> str | None:
        with tempfile.TemporaryDirectory() as tmp:
            store = await Store.open(f"sqlite+aiosqlite:///{shutil.copy(template, Path(tmp) / 'x.db')}")
            try:
                sends = [(first, second)] if batched else [(first,), (second,)]
                for evs in sends:
                    update = ShipmentUpdate(carrier="ups", tracking_number="1Z1442YY7229014688", events=evs)
                    await store.ingest([IngestItem([update])])
                [ship] = await store.find("1Z1442YY7229014688")
                return ship.substatus
            finally:
                await store.close()

    stored = {asyncio.run(substatus(SIGNED, UNSIGNED)), asyncio.run(substatus(UNSIGNED, SIGNED))}
    folded = {advance(ShipmentState(), order).substatus for order in ([SIGNED, UNSIGNED], [UNSIGNED, SIGNED])}
    assert len(stored | folded) == 1, (stored, folded)
