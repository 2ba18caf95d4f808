"""Shared helpers for the adapter parser tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from carriers.base import ParseResult
from carriers.errors import CarrierError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers"
# adapter slug -> its fixture folder
FOLDERS = {
    "dhl": "dhl",
    "ups": "ups",
    "fedex": "fedex",
    "usps": "usps",
    "17track": "17track",
    "aftership": "aftership",
    "easypost": "easypost",
    "canadapost": "canadapost",
    "dpd": "dpd",
    "royalmail": "royalmail",
    "laposte": "laposte",
    "sfexpress": "sf_express",  # the shared fixture set names the folder after the carrier
}


def fixtures(slug: str) -> list[Path]:
    folder = FIXTURES / FOLDERS[slug]
    return sorted(p for p in folder.iterdir() if p.suffix in (".json", ".xml") and ".expected." not in p.name)


def expected(fixture: Path) -> Any:
    return json.loads(fixture.with_name(fixture.name.rsplit(".", 1)[0] + ".expected.json").read_text())


def load_json(slug: str, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / FOLDERS[slug] / name).read_text())
    return doc


def sound(result: ParseResult) -> ParseResult:
    """What every parse must give, whatever the input: a result, typed errors, JSON-able."""
    assert isinstance(result, ParseResult)
    assert all(isinstance(error, CarrierError) for error in result.errors)
    json.dumps(result.to_dict())
    return result
