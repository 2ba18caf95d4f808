"""Remove personal data from free text (event descriptions, labels) before it leaves the tool.

What is replaced by ``[redacted]``:

* e-mail addresses;
* phone numbers: international (``+44 20 7946 0958``), North-American
  (``(415) 555-0123``, ``415-555-0123``) and any number after a phone label
  (``Tel: 020 7946 0958``) - bare digit runs are left alone, they are usually
  tracking or reference numbers;
* person names after a signature/hand-over phrase: "signed by", "signed for by",
  "received by", "left with", "delivered to", "collected by", "Empfänger:",
  "unterschrieben von", "signé par", "firmado por", ... (see ``_HANDOVER``). Up to
  four name-like words are replaced; words that describe a place or role rather than
  a person ("neighbour", "front door", "reception", "parcel locker") are kept, so
  "Left with neighbour" stays readable.

It is a best-effort filter for exports and reports: it errs on the side of redacting.
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"

# The lookbehind starts a match only where a run of address characters starts: without it each
# position inside a long run (a 20,000-letter word) was tried again, quadratic: seconds per text.
_EMAIL = re.compile(r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")

_PHONE_LABEL = (
    r"(?:\b(?:tel|tél|phone|telephone|téléphone|telefon|telefono|teléfono|mobile|mobil|cell|handy|"
    r"fax|whatsapp|sms)\.?)"
)
_PHONES = [
    # after a phone label: keep the label, redact the number
    re.compile(
        rf"(?i){_PHONE_LABEL}(?:\s*(?:no\.?|nr\.?|number|num\.?))?\s*[:#]?\s*"
        r"(?P<n>\+?\(?\d[\d\s().\/-]{4,18}\d)"
    ),
    # international: "+44 20 7946 0958", "+1 (415) 555-0123"
    re.compile(r"(?P<n>\+\s?\d[\d\s().\/-]{5,18}\d)"),
    # North-American: "(415) 555-0123", "415-555-0123", "415.555.0123"
    re.compile(r"(?P<n>(?:\(\d{3}\)\s?|\b\d{3}[.\-])\d{3}[.\-]\d{4})\b"),
]

# Hand-over phrases followed by a person (optional colon), and labels that need a colon.
_HANDOVER = re.compile(
    r"(?i)(?:\b(?:signed\s+for\s+by|signed\s+by|received\s+by|accepted\s+by|collected\s+by|"
    r"picked\s+up\s+by|left\s+with|delivered\s+to|handed\s+(?:over\s+)?to|released\s+to|"
    r"unterschrieben\s+von|empfangen\s+von|zugestellt\s+an|übergeben\s+an|abgegeben\s+bei|"
    r"signé\s+par|reçu\s+par|remis\s+à|firmado\s+por|recibido\s+por|entregado\s+a|"
    r"firmato\s+da|ricevuto\s+da|consegnato\s+a|getekend\s+door|ontvangen\s+door)\b\s*[:\-–]?"
    r"|\b(?:recipient|receiver|signatory|signature|signed|consignee|empfänger|unterschrift|"
    r"destinataire|destinatario)\s*:)",
)
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?|[^\W\d_]\.")
_GAP = re.compile(r"[ \t]*")

# Words that name a place, role or thing, not a person: kept after a hand-over phrase.
_NOT_A_NAME_WORDS = """
    a an the your our their my his her its at in on to of for from by via with and or near next
    outside inside behind under beside front back side rear main door doors porch step steps
    doorstep garage garden yard patio shed gate house home building office reception receptionist
    desk lobby mailroom mail room mailbox letterbox letter box post postbox locker lockers parcel
    parcels pickup pick up point shop store agent agency counter dock depot hub facility terminal
    neighbour neighbor neighbours neighbors family member household resident residents occupant
    customer recipient addressee consignee security guard concierge doorman porter caretaker manager
    staff employee colleague driver courier carrier customs sender shipper safe place location
    individual person adult authorized authorised representative sig signature required waived not
    no none unknown n a unattended secure nachbar nachbarn packstation filiale paketshop briefkasten
    haustür garage empfänger voisin voisine gardien boîte lettres vecino portería buzón conserje
    portiere vicino
"""
_NOT_A_NAME = frozenset(_NOT_A_NAME_WORDS.split())
_TITLE_WORDS = "mr mrs ms miss mx dr prof herr frau hr fr mme mlle sr sra srta sig"
_TITLES = frozenset(_TITLE_WORDS.split())
_MAX_NAME_WORDS = 4


def _names(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for marker in _HANDOVER.finditer(text):
        pos, start, end, words = marker.end(), -1, -1, 0
        while words < _MAX_NAME_WORDS:
            gap = _GAP.match(text, pos)
            word = _WORD.match(text, gap.end() if gap else pos)
            if word is None:
                break
            bare = word.group().rstrip(".").lower()
            # "SMITH." ends the sentence; "J." and "Dr." do not.
            stop = word.group().endswith(".") and len(bare) > 1 and bare not in _TITLES
            if bare in _NOT_A_NAME:
                if start >= 0 or stop:
                    break  # "JOHN at the door": the name ended
                pos = word.end()  # "neighbour JOHN": keep the role, look on
                continue
            if start < 0:
                start = word.start()
            end, pos, words = word.end() - (1 if stop else 0), word.end(), words + 1
            if stop:
                break
        if start >= 0:
            spans.append((start, end))
    return spans


def _phones(text: str) -> list[tuple[int, int]]:
    return [m.span("n") for pattern in _PHONES for m in pattern.finditer(text)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers and hand-over names replaced."""
    if not text:
        return text
    spans = [m.span() for m in _EMAIL.finditer(text)] + _phones(text) + _names(text)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in _merge(spans):
        out.append(text[last:start])
        out.append(REDACTED)
        last = end
    out.append(text[last:])
    return "".join(out)


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)
