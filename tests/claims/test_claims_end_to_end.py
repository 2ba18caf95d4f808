"""End to end: sandbox carrier scenarios, tracked by the real adapters and poller on a simulated
clock, become anomalies (the rules), then claims drafted in English and Chinese, then an
evidence pack that verifies — and fails on one edited byte."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr

from carriers import ADAPTERS
from carriers.credentials import Credentials
from carriers.sandbox.journeys import Scenario
from carriers.sandbox.server import start
from carriers.sandbox.world import SandboxClock, SandboxWorld
from claims import facts as claim_facts
from claims.claiming import draft_open_claims
from claims.evaluation import open_anomalies
from claims.evidence import MANIFEST, ProblemKind, verify_pack
from claims.evidence_files import export_claim
from claims.model import AnomalyKind, Claimant, ClaimFacts, PaymentMethod
from claims.rendering import render
from parcel_watch.demo import VirtualTime
from parcel_watch.detect.samples import sample_number
from parcel_watch.model import Money, Shipment
from parcel_watch.poller import scheduler_for
from parcel_watch.store import Store

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
HISTORY = timedelta(days=40)
STEP = timedelta(hours=1)
SEED = 11
KEY = SecretStr("sandbox")

# (carrier, number format, scenario, the anomaly the rules must find)
CASES = (
    ("ups", "ups", Scenario.LATE, AnomalyKind.DELIVERED_LATE),
    ("usps", "usps_impb_c", Scenario.STALLED_LOST, AnomalyKind.LOST),
    ("fedex", "fedex_12", Scenario.DAMAGED, AnomalyKind.DAMAGED),
    ("dhl", "dhl_express", Scenario.CUSTOMS_HOLD, AnomalyKind.DELIVERED_LATE),
)
BUYER = ClaimFacts(
    role=Claimant.RECIPIENT,
    item_value=Money(amount=Decimal("120.00"), currency="USD"),
    shipping_cost=Money(amount=Decimal("9.90"), currency="USD"),
    payment_method=PaymentMethod.CARD,
    seller="Gadget Store",
    buyer_country="US",
    time_zone="America/New_York",
    documents_on_hand=frozenset({"invoice"}),
)


async def track_scenarios(store: Store) -> dict[Scenario, Shipment]:
    """Ship one parcel per case in the sandbox, then poll them all from shipping to NOW."""
    virtual = VirtualTime()
    clock = SandboxClock(NOW - HISTORY, real=virtual)
    world = SandboxWorld(clock=clock, seed=SEED, token_ttl_s=10**9)
    rng = random.Random(SEED)
    stored: dict[Scenario, Shipment] = {}
    for day, (carrier, fmt, scenario, _) in enumerate(CASES):
        number = sample_number(fmt, rng)
        world.add(number, scenario, seed=SEED, shipped_at=clock.start + timedelta(days=day))
        added = await store.add(Shipment(tracking_number=number, carrier=carrier, label=scenario.value))
        stored[scenario] = added.shipment
    runner, url = await start(world)
    try:
        creds = {
            slug: Credentials(slug=slug, api_key=KEY, client_id="sandbox", client_secret=KEY, base_url=url)
            for slug in ADAPTERS
        }
        async with scheduler_for(store, creds, clock=clock.now, sleep=virtual.sleep) as scheduler:
            # Never-polled shipments are due at their (wall-clock) creation: start at the sandbox's.
            due: datetime | None = clock.start
            while due is not None and due <= NOW:
                virtual.seconds = (max(due, clock.now() + STEP) - clock.start).total_seconds()
                await scheduler.poll_once()
                due = await store.next_due_at()
    finally:
        await runner.cleanup()
    return stored


async def test_sandbox_scenarios_become_claims_drafted_in_two_languages_with_verifiable_evidence(
    tmp_path: Path,
) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/e2e.db")
    try:
        shipments = await track_scenarios(store)
        for shipment in shipments.values():
            assert shipment.id is not None
            await claim_facts.save(store, shipment.id, BUYER, NOW)

        run = await draft_open_claims(store, NOW, by="e2e")

        by_shipment = {s.id: scenario for scenario, s in shipments.items()}
        found = {(by_shipment[a.shipment_id], a.kind) for a in await open_anomalies(store)}
        claims_of = {
            scenario: [c for c in run.claims if by_shipment[c.shipment_id] is scenario]
            for scenario in shipments
        }
        for _, _, scenario, kind in CASES:
            assert (scenario, kind) in found, (scenario, sorted(found))
            assert claims_of[scenario], f"no claim drafted for {scenario}"
            number = shipments[scenario].tracking_number
            for claim in claims_of[scenario]:
                for language in ("en", "zh"):
                    letter = render(claim.document, language=language, markdown=False)
                    assert number in letter
                    assert ("Subject:" if language == "en" else "主题：") in letter
        # The consumer's claim against the seller for the lost parcel: price and postage back.
        lost = {c.policy_id: c for c in claims_of[Scenario.STALLED_LOST]}
        assert lost["us.ftc.435"].amount == Money(amount=Decimal("129.90"), currency="USD")

        claim = next(c for c in claims_of[Scenario.DAMAGED] if c.respondent.value == "carrier")
        pack = tmp_path / "pack"
        result = await export_claim(store, claim.id, pack, include_personal=False, now=NOW)
        payloads = [e for e in result.manifest["files"] if e["name"].startswith("payloads/")]
        assert payloads, "the raw carrier answers are part of the evidence"
        assert verify_pack(pack).ok

        name = payloads[0]["name"]
        data = bytearray((pack / name).read_bytes())
        data[len(data) // 2] ^= 0x01
        (pack / name).write_bytes(bytes(data))
        assert [(p.kind, p.name) for p in verify_pack(pack).problems] == [(ProblemKind.EDITED, name)]
        assert json.loads((pack / MANIFEST).read_text())["shipment"]["tracking_number"] == (
            shipments[Scenario.DAMAGED].tracking_number
        )
    finally:
        await store.close()
