"""One line that says what an anomaly is about, from its stored details (pure).

The details are what the rule recorded (``claims.rules``): small facts, some of them
carrier text. A summary is for a list row, so it is a single line of bounded length; a
detail that is missing or of an unexpected type never raises, the generic form is used.
The text is not made terminal-safe here: whoever shows it cleans it (``textsafe``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from claims.model import AnomalyKind

Details = Mapping[str, str | int | None]
MAX_LENGTH = 100


def _when(value: object) -> str:
    """Stored instants read "2026-10-27T20:22Z": shown as "2026-10-27 20:22Z"."""
    return str(value).replace("T", " ")


def _plural(count: object, word: str) -> str:
    return f"{count} {word}" if str(count) == "1" else f"{count} {word}s"


def _late(d: Details) -> str:
    source = f" ({d['promise_source']}'s promise)" if d.get("promise_source") else ""
    return f"not delivered; due {d['promised']}{source}"


def _delivered_late(d: Details) -> str:
    return f"{_plural(d['days_late'], 'day')} late: due {d['promised']}, delivered {_when(d['delivered'])}"


def _no_scan(d: Details) -> str:
    return f"no scan for {_plural(d['business_days'], 'business day')} (last {_when(d['last_scan'])})"


def _lost(d: Details) -> str:
    return "the carrier reports it lost" if d.get("reason") == "carrier" else _no_scan(d)


def _damaged(d: Details) -> str:
    return "the carrier recorded damage"


def _customs(d: Details) -> str:
    return f"held at customs over {_plural(d['business_days'], 'business day')}"


def _duties(d: Details) -> str:
    money = " ".join(str(part) for part in (d.get("currency"), d.get("amount")) if part)
    amount = f" {money}" if d.get("amount") else ""
    due = f" by {d['due']}" if d.get("due") else ""
    return f"duties{amount} to pay{due}"


def _failed(d: Details) -> str:
    return f"{_plural(d['attempts'], 'delivery attempt')} failed"


def _returned(d: Details) -> str:
    return "returned to the sender" if d.get("state") == "returned" else "on its way back to the sender"


def _eta(d: Details) -> str:
    revisions = f", {_plural(d['revisions'], 'revision')}" if d.get("revisions") is not None else ""
    return f"ETA {d['first_eta']} → {d['current_eta']} (+{d['days_slipped']} d{revisions})"


def _regression(d: Details) -> str:
    return "scanned in transit again after its delivery"


def _refund(d: Details) -> str:
    period = f" ({d['period']})" if d.get("period") else ""
    return f"refund due {d['refund_due']}{period} not received"


_SUMMARIES: dict[AnomalyKind, Callable[[Details], str]] = {
    AnomalyKind.LATE: _late,
    AnomalyKind.DELIVERED_LATE: _delivered_late,
    AnomalyKind.STALLED: _no_scan,
    AnomalyKind.LOST: _lost,
    AnomalyKind.DAMAGED: _damaged,
    AnomalyKind.CUSTOMS_HOLD: _customs,
    AnomalyKind.DUTIES_DUE: _duties,
    AnomalyKind.DELIVERY_FAILED: _failed,
    AnomalyKind.RETURNED_TO_SENDER: _returned,
    AnomalyKind.ETA_SLIPPED: _eta,
    AnomalyKind.STATUS_REGRESSION: _regression,
    AnomalyKind.REFUND_OVERDUE: _refund,
}


def generic(details: Details) -> str:
    return ", ".join(f"{key}: {value}" for key, value in details.items() if value not in (None, ""))


def summarize(kind: AnomalyKind, details: Details) -> str:
    """What the anomaly is about, on one line of at most ``MAX_LENGTH`` characters."""
    describe = _SUMMARIES.get(kind)
    try:
        text = describe(details) if describe is not None else generic(details)
    except KeyError:  # a rule recorded less than usual (older data): say what there is
        text = generic(details)
    line = " ".join(text.split())
    return line if len(line) <= MAX_LENGTH else line[: MAX_LENGTH - 1] + "…"
