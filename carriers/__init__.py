"""Carrier adapters, listed explicitly: slug -> module. A module is imported only when used.

Each adapter module has ``SLUG`` and a pure ``parse(raw: bytes | str) -> ParseResult``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Protocol

from carriers.base import ParseResult

ADAPTERS: dict[str, str] = {
    "dhl": "carriers.dhl",
    "ups": "carriers.ups",
    "fedex": "carriers.fedex",
    "usps": "carriers.usps",
    "17track": "carriers.seventeentrack",
    "aftership": "carriers.aftership",
    "easypost": "carriers.easypost",
    "canadapost": "carriers.canadapost",
    "dpd": "carriers.dpd",
    "royalmail": "carriers.royalmail",
    "laposte": "carriers.laposte",
    "sfexpress": "carriers.sfexpress",
}


class Parser(Protocol):
    def __call__(self, raw: bytes | str) -> ParseResult: ...


class UnknownAdapter(KeyError):
    pass


def adapter(slug: str) -> ModuleType:
    try:
        return importlib.import_module(ADAPTERS[slug])
    except KeyError:
        raise UnknownAdapter(slug) from None


def parser(slug: str) -> Parser:
    parse: Parser = adapter(slug).parse
    return parse


CLIENTS: dict[str, str] = {
    "dhl": "DhlClient",
    "ups": "UpsClient",
    "fedex": "FedexClient",
    "usps": "UspsClient",
    "17track": "SeventeenTrackClient",
    "aftership": "AftershipClient",
    "easypost": "EasypostClient",
    "canadapost": "CanadaPostClient",
    "dpd": "DpdClient",
    "royalmail": "RoyalMailClient",
    "laposte": "LaPosteClient",
    "sfexpress": "SfExpressClient",
}


def client_class(slug: str) -> type[Any]:
    """The fetch client of an adapter (``<Name>Client`` in its module)."""
    return getattr(adapter(slug), CLIENTS[slug])  # type: ignore[no-any-return]
