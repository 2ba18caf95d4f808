"""What the XML adapters (Canada Post, DPD) share: reading a body safely, and fetching one number
per request when the answer does not name the number it answers.

Reading: the USPS Web Tools approach (stdlib ElementTree behind an expat pass that refuses any
DTD or entity declaration, hence no entity expansion and no external entities), then every tag
stripped of its namespace, so lookups read ``find("pin")`` whatever prefix the carrier used.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Sequence
from xml.parsers import expat

from carriers.base import Fetched, ParseResult
from carriers.fetching import fetch_in_batches
from carriers.http import Response

Element = ET.Element


class XmlError(ValueError):
    """The body is not XML we accept (invalid, or it declares a DTD or entities)."""


class _Refused(Exception):
    pass


def read_xml(raw: bytes | str) -> Element:
    """The root element with namespaces stripped; raises XmlError."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    lowered = data.lower()
    try:
        if b"<!doctype" in lowered or b"<!entity" in lowered:
            raise _Refused
        scanner = expat.ParserCreate()

        def refuse(*_: object) -> None:
            raise _Refused

        scanner.StartDoctypeDeclHandler = refuse
        scanner.EntityDeclHandler = refuse
        scanner.Parse(data, True)
        root = ET.fromstring(data)
    except _Refused:
        raise XmlError("XML with a DTD or entity declaration refused") from None
    except (ET.ParseError, expat.ExpatError) as exc:
        raise XmlError(f"not valid XML: {exc}") from None
    for element in root.iter():
        if isinstance(element.tag, str):  # comments and processing instructions have no name
            element.tag = element.tag.rpartition("}")[2]
    return root


def text(element: Element | None, path: str) -> str | None:
    """The stripped text of the child at ``path``, or None when missing or blank."""
    found = element.find(path) if element is not None else None
    value = found.text if found is not None else None
    return value.strip() or None if value else None


Send = Callable[[Sequence[str]], Awaitable[Response]]
ParseFor = Callable[[bytes, str], ParseResult]


async def fetch_each(numbers: Sequence[str], send: Send, parse: ParseFor) -> list[Fetched]:
    """``fetch_in_batches`` one number at a time, each body parsed with the number it was asked
    for (the batches run in order, so the last one sent is the one answered). The number lives
    in this call, not on the client: concurrent fetches share a client."""
    asked: list[str] = []

    async def send_one(batch: Sequence[str]) -> Response:
        asked[:] = batch
        return await send(batch)

    return await fetch_in_batches(numbers, 1, send_one, lambda raw: parse(raw, asked[0]))
