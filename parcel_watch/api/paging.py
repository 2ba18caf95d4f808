"""Pages of a list: limit/offset, the total, and the URL of the next page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from parcel_watch.api.schemas import Page, PageQuery

Item = TypeVar("Item", bound=BaseModel)


def next_url(request: web.Request, query: PageQuery, total: int) -> str | None:
    """The request's own URL with the offset moved on one page; None on the last page."""
    following = query.offset + query.limit
    if following >= total:
        return None
    return str(request.rel_url.update_query(offset=str(following), limit=str(query.limit)))


def page_of(request: web.Request, query: PageQuery, items: list[Item], total: int) -> Page[Item]:
    return Page[Item](
        items=items, total=total, limit=query.limit, offset=query.offset, next=next_url(request, query, total)
    )


def slice_page(request: web.Request, query: PageQuery, everything: Sequence[Item]) -> Page[Item]:
    """A page of a list read whole (lists a store keeps short: events, anomalies, claims)."""
    chosen = list(everything[query.offset : query.offset + query.limit])
    return page_of(request, query, chosen, len(everything))
