"""What the XML adapters (Canada Post, DPD) share: reading a body safely, and fetching one number
per request when the answer does not name the number it answers.

Reading: defusedxml's ElementTree with DTDs forbidden outright (so no entity expansion, no
external entities, no external DTD: a carrier body never needs any of them), then every tag
stripped of its namespace, so lookups read ``find("pin")`` whatever prefix the carrier used.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Sequence

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from carriers.base import Fetched, ParseResult
from carriers.fetching import fetch_in_batches
from carriers.http import Response

Element = ET.Element


class XmlError(ValueError):
    """The body is not XML we accept (invalid, or it declares a DTD or entities)."""


def parse_untrusted(raw: bytes | str) -> Element:
    """The root element of a received body, as sent (namespaces kept); raises XmlError."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    try:
        # forbid_dtd: a DOCTYPE is refused before any declaration in it is read, which covers
        # billion laughs, SYSTEM entities and external DTDs alike.
        return SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise XmlError("XML with a DTD/entity declaration is refused") from None
    except (LookupError, ValueError) as exc:  # expat on encoding="UTF-4" / "UTF-7" in the declaration
        raise XmlError(f"not valid XML: its declared encoding cannot be read ({exc})") from None
    except ET.ParseError as exc:
        lowered = data.lower()
        if b"<!doctype" in lowered or b"<!entity" in lowered:  # e.g. "<!doctype": invalid, yet say why
            raise XmlError("XML with a DTD/entity declaration is refused") from None
        raise XmlError(f"not valid XML: {exc}") from None


def read_xml(raw: bytes | str) -> Element:
    """The root element with namespaces stripped; raises XmlError."""
    root = parse_untrusted(raw)
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
