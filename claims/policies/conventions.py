"""International conventions (claims-rules.md §2): Montreal (air), CMR (road), UPU (post).

They govern the carrier's liability on international carriage whatever its own terms say,
so the registry returns them next to the carrier's rules. Limits are in SDR and convert at
the date of judgment or payment: a draft's figure is an estimate (see claims.sdr).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from claims.model import (
    Anchor,
    Cap,
    Claimant,
    DayCount,
    Document,
    Incident,
    Party,
    Policy,
    Scope,
    TransportMode,
    Window,
)
from claims.policies.common import REFERENCE_DATE

LOSS, DAMAGE, DELAY = Incident.LOSS, Incident.DAMAGE, Incident.DELAY

MONTREAL = Policy(
    id="montreal",
    name="Montreal Convention 1999 (international air carriage)",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE, DELAY}),
    claimant=Claimant.EITHER,
    windows=(
        Window(Anchor.DELIVERY, latest=14, name="written complaint of damage", incidents=frozenset({DAMAGE})),
        # Delay: 21 days from the day the goods were placed at the consignee's disposal.
        Window(Anchor.DELIVERY, latest=21, name="written complaint of delay", incidents=frozenset({DELAY})),
        Window(Anchor.DELIVERY, latest=0, months=24, name="limitation", incidents=frozenset({DAMAGE, DELAY})),
        # Loss: two years from the day the aircraft ought to have arrived.
        Window(
            Anchor.SCHEDULED_DELIVERY,
            latest=0,
            months=24,
            name="limitation",
            incidents=frozenset({LOSS}),
            otherwise=Window(Anchor.SHIP_DATE, latest=0, months=24, name="limitation"),
        ),
    ),
    cap=Cap(sdr_per_kg=Decimal(26), accepts_declared_value=True),
    documents=(Document.WRITTEN_NOTICE, Document.TRACKING, Document.INVOICE, Document.PHOTOS),
    remedy="The proven loss, up to 26 SDR per kg (more only with a special declaration of interest).",
    legal_basis="Montreal Convention 1999, Arts. 22(3), 31, 35",
    source=(
        "[49] forwarderlaw.com 2024/11/01; [50] dailyafricantimes.com ICAO limits; "
        "[51] Halsbury's Laws Carriage ¶119; [52] Narayanan v. BA, 747 F.3d 1125"
    ),
    verified_on=date(2024, 11, 1),
    mode=TransportMode.AIR,
    scope=Scope.INTERNATIONAL,
    conditions=("Complaints must be written; without one in time the claim is barred (Art. 31(4)) [51].",),
    notes=(
        "26 SDR/kg from 28 Dec 2024 (17 until 2009, then 19, then 22 from 2019) [49][50]. "
        "The 2 years of Art. 35 cannot be extended [52]."
    ),
)

_CMR_SOURCES = (
    "[54] greenwoods.org CMR compensation; [55] jus.uio.no/lm CMR art. 30; noewe.eu; [56] i-law.com 370558"
)
_CMR_LIMITATION_NOTE = (
    "1 year (3 for wilful misconduct); a written claim suspends it until the carrier rejects it "
    "in writing [56]. SDR converted at the date of judgment or an agreed date (treaty text not re-read ?)."
)

CMR = Policy(
    id="cmr",
    name="CMR Convention (international road carriage): loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.EITHER,
    windows=(
        Window(
            Anchor.DELIVERY, latest=0, name="reservation of visible damage", incidents=frozenset({DAMAGE})
        ),
        Window(
            Anchor.DELIVERY,
            latest=7,
            days=DayCount.EXCLUDING_SUNDAYS,
            name="written reservation of hidden damage",
            incidents=frozenset({DAMAGE}),
        ),
        Window(Anchor.DELIVERY, latest=0, months=12, name="limitation", incidents=frozenset({DAMAGE})),
        # Total loss: deemed lost 30 days after the agreed date (else 60 days after the
        # carrier took the goods over); the year runs from then (Arts. 20, 32(1)(b)).
        Window(
            Anchor.SCHEDULED_DELIVERY,
            earliest=30,
            latest=30,
            months=12,
            name="limitation",
            incidents=frozenset({LOSS}),
            otherwise=Window(Anchor.SHIP_DATE, earliest=60, latest=60, months=12, name="limitation"),
        ),
    ),
    cap=Cap(sdr_per_kg=Decimal("8.33"), accepts_declared_value=True),
    documents=(Document.WRITTEN_NOTICE, Document.TRACKING, Document.INVOICE, Document.PHOTOS),
    remedy="The value of the goods lost, up to 8.33 SDR per kg of gross weight.",
    legal_basis="CMR Convention, Arts. 23(3), 30, 32",
    source=_CMR_SOURCES,
    verified_on=REFERENCE_DATE,
    mode=TransportMode.ROAD,
    scope=Scope.INTERNATIONAL,
    conditions=(
        "Hidden damage: reserve in writing within 7 days, Sundays and public holidays excluded [55].",
    ),
    notes=_CMR_LIMITATION_NOTE,
)

CMR_DELAY = Policy(
    id="cmr.delay",
    name="CMR Convention (international road carriage): delay",
    party=Party.CARRIER,
    incidents=frozenset({DELAY}),
    claimant=Claimant.EITHER,
    windows=(
        Window(Anchor.DELIVERY, latest=21, name="written reservation of delay"),
        Window(Anchor.DELIVERY, latest=0, months=12, name="limitation"),
    ),
    cap=Cap(freight_multiple=Decimal(1)),
    documents=(Document.WRITTEN_NOTICE, Document.TRACKING, Document.INVOICE),
    remedy="The loss the delay caused, up to the carriage charges.",
    legal_basis="CMR Convention, Arts. 23(5), 30(3), 32",
    source=_CMR_SOURCES,
    verified_on=REFERENCE_DATE,
    mode=TransportMode.ROAD,
    scope=Scope.INTERNATIONAL,
    conditions=(
        "Delay: a written reservation within 21 days of the goods being placed at the consignee's disposal [55].",
    ),
    notes=_CMR_LIMITATION_NOTE,
)

_UPU_SOURCES = (
    "[57] India Post regs summary (public file); [19] USPS Postal Bulletin 22398; pe.usps.com IMM 921"
)
_UPU_NOTE = (
    "Ordinary (untracked) items carry no compensation; insured items up to the declared value. "
    "From a secondary summary: the treaty text was not read (?)."
)

UPU_REGISTERED = Policy(
    id="upu.registered",
    name="UPU Convention (international post): registered items and EMS",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.EITHER,
    windows=(Window(Anchor.SHIP_DATE, latest=0, months=6, name="inquiry"),),
    cap=Cap(sdr_per_item=Decimal(30), accepts_declared_value=True),
    documents=(Document.PROOF_OF_POSTING, Document.TRACKING, Document.ITEM_DETAILS, Document.INVOICE),
    remedy="Up to 30 SDR per registered item or EMS item (insured: up to the declared value).",
    legal_basis="Universal Postal Union Convention (liability of designated operators)",
    source=_UPU_SOURCES,
    verified_on=REFERENCE_DATE,
    mode=TransportMode.POST,
    scope=Scope.INTERNATIONAL,
    services=frozenset(
        {"registered", "ems", "express mail", "priority mail express international", "pmei", "small packet"}
    ),
    notes=_UPU_NOTE,
)

UPU_PARCEL = Policy(
    id="upu.parcel",
    name="UPU Convention (international post): parcels",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.EITHER,
    windows=(Window(Anchor.SHIP_DATE, latest=0, months=6, name="inquiry"),),
    cap=Cap(
        sdr_per_item=Decimal(40),
        sdr_per_kg=Decimal("4.50"),
        sdr_parts_add_up=True,
        accepts_declared_value=True,
    ),
    documents=(Document.PROOF_OF_POSTING, Document.TRACKING, Document.ITEM_DETAILS, Document.INVOICE),
    remedy="Up to 40 SDR per parcel plus 4.50 SDR per kg (insured: up to the declared value).",
    legal_basis="Universal Postal Union Convention (liability of designated operators)",
    source=_UPU_SOURCES,
    verified_on=REFERENCE_DATE,
    mode=TransportMode.POST,
    scope=Scope.INTERNATIONAL,
    services=frozenset({"parcel", "package", "colis", "paket", "priority mail international", "pmi"}),
    notes=_UPU_NOTE,
)

POLICIES: tuple[Policy, ...] = (MONTREAL, CMR, CMR_DELAY, UPU_REGISTERED, UPU_PARCEL)
