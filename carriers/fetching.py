"""The fetch side shared by every adapter's client: batching and the partial-failure rule.

Each adapter module has a small ``<Name>Client(CarrierClient)`` that knows how to send *one*
request for one batch of numbers; :func:`fetch_in_batches` is the single implementation of
splitting, sending and failure handling they all use.

Base URLs are the API *root* (scheme and host, e.g. ``https://apis.fedex.com``); each client
appends its documented paths. The root is, in order: the ``base_url`` argument, then
``Credentials.base_url`` (the sandbox carrier, tests), then the production root.

Every HTTP answer (2xx and 4xx) becomes one :class:`~carriers.base.Fetched` holding the exact
bytes and what the adapter's pure ``parse`` made of them: 404/400 envelopes come back as
typed per-number errors in ``result.errors``, not as exceptions.

Partial-failure rule (batches are sent one after another, in order):

* :class:`~carriers.errors.AuthError` and :class:`~carriers.errors.RateLimited` are always
  **raised**, whatever was fetched before: the whole carrier must back off (``retry_after``
  is kept), and answers already received are dropped — they will be fetched again.
* Any other request-level failure (:class:`~carriers.errors.CarrierUnavailable`: 5xx,
  timeout, connection failure; :class:`~carriers.errors.MalformedPayload`: oversized or cut
  body; failures of the token endpoint alike) on the **first** batch is raised as
  ``CarrierHttp`` raised it: nothing was fetched, so there is nothing to lose.
* The same failure on a **later** batch stops fetching (an API answering 5xx is not hammered
  further) and ``fetch`` returns the answers already received plus one synthetic ``Fetched``
  (``raw=b""``, ``content_type=""``: no HTTP answer) whose ``result.errors`` holds one error
  per number not fetched: a copy of the failure, of the same type, with ``tracking_number``
  set — for the failed batch's numbers and for the numbers of the batches not attempted.
* An HTML page is no API's answer (a proxy's or CDN's error page, often with HTTP 200): it
  is a :class:`~carriers.errors.MalformedPayload` of the request, like a cut body.
* An answer whose parse gives an error without a tracking number (a body that is not JSON,
  not the API's document) says nothing about the numbers it was asked for: each of them not
  otherwise in the result gets a copy of that error, so the poll records it on the shipment.
* Exceptions that are not :class:`~carriers.errors.CarrierError` (bugs) always propagate.

Credentials never go into URLs (all seven APIs take them in headers or HTTP Basic auth), and
``CarrierHttp`` messages name host and path only, so none of these errors carries a secret.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import quote

from carriers.base import Fetched, ParseResult
from carriers.credentials import Credentials
from carriers.errors import AuthError, CarrierError, MalformedPayload, RateLimited
from carriers.http import CarrierHttp, ClientCredentials, Response

Send = Callable[[Sequence[str]], Awaitable[Response]]
Parse = Callable[[bytes], ParseResult]


def batches(numbers: Sequence[str], size: int) -> list[list[str]]:
    """``numbers`` in consecutive chunks of at most ``size``."""
    if size < 1:
        raise ValueError(f"batch size must be positive, not {size}")
    return [list(numbers[i : i + size]) for i in range(0, len(numbers), size)]


def content_type(response: Response) -> str:
    for name, value in response.headers.items():
        if name.lower() == "content-type":
            return value
    return ""


def per_number(error: CarrierError, numbers: Sequence[str]) -> list[CarrierError]:
    """One copy of ``error`` (same type, message, code, retry_after…) per tracking number."""
    out = []
    for number in numbers:
        item = copy.copy(error)
        item.tracking_number = number
        out.append(item)
    return out


async def fetch_in_batches(numbers: Sequence[str], max_batch: int, send: Send, parse: Parse) -> list[Fetched]:
    """Send ``numbers`` in batches of ``max_batch``; see the module docstring for failures."""
    chunks = batches(numbers, max_batch)
    fetched: list[Fetched] = []
    for index, chunk in enumerate(chunks):
        try:
            response = _not_a_page(await send(chunk))
        except (AuthError, RateLimited):
            raise
        except CarrierError as exc:
            if index == 0:
                raise
            missing = [n for rest in chunks[index:] for n in rest]
            fetched.append(
                Fetched(raw=b"", content_type="", result=ParseResult(errors=per_number(exc, missing)))
            )
            return fetched
        result = _attributed(parse(response.body), chunk)
        fetched.append(Fetched(raw=response.body, content_type=content_type(response), result=result))
    return fetched


def _not_a_page(response: Response) -> Response:
    kind = content_type(response).split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        raise MalformedPayload(f"answered with an HTML page (HTTP {response.status}), not the API's document")
    return response


def _attributed(result: ParseResult, asked: Sequence[str]) -> ParseResult:
    """Errors without a number, copied onto each asked number the result is silent about."""
    loose = [e for e in result.errors if e.tracking_number is None]
    if not loose:
        return result
    told = {s.tracking_number for s in result.shipments} | {e.tracking_number for e in result.errors}
    silent = [n for n in asked if n not in told]
    if silent:
        kept = [e for e in result.errors if e.tracking_number is not None]
        result.errors = kept + [copy for e in loose for copy in per_number(e, silent)]
    return result


def path_segment(value: str) -> str:
    """A tracking number (or slug) made safe as one URL path segment."""
    return quote(value, safe="")


class CarrierClient:
    """Base of the seven ``<Name>Client`` classes: base URL resolution, credential checks and
    ``fetch`` (always :func:`fetch_in_batches`). Subclasses implement :meth:`_send` for one
    batch and :meth:`_parse` (the module's pure ``parse``)."""

    SLUG: ClassVar[str]
    DEFAULT_BASE_URL: ClassVar[str]
    max_batch: ClassVar[int] = 1

    def __init__(self, http: CarrierHttp, credentials: Credentials, *, base_url: str | None = None) -> None:
        self.http = http
        self.credentials = credentials
        self.base_url = (base_url or credentials.base_url or self.DEFAULT_BASE_URL).rstrip("/")

    def __repr__(self) -> str:  # never the credentials
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def url(self, path: str) -> str:
        return self.base_url + path

    async def fetch(self, numbers: Sequence[str], known: Mapping[str, int] | None = None) -> list[Fetched]:
        """Fetch ``numbers``. ``known`` (tracking number -> fingerprint from an earlier answer)
        lets an adapter that supports it skip the shipments whose part of the body is unchanged."""
        if known is None:
            return await fetch_in_batches(numbers, self.max_batch, self._send, self._parse)
        return await fetch_in_batches(
            numbers, self.max_batch, self._send, lambda raw: self._parse_known(raw, known)
        )

    async def _send(self, batch: Sequence[str]) -> Response:
        raise NotImplementedError

    def _parse(self, raw: bytes) -> ParseResult:
        raise NotImplementedError

    def _parse_known(self, raw: bytes, known: Mapping[str, int]) -> ParseResult:
        """Parse with fingerprints (see ``fetch``); adapters without them parse everything."""
        return self._parse(raw)

    def _api_key(self) -> str:
        if self.credentials.api_key is None:
            raise AuthError(f"{self.SLUG}: no API key configured", carrier=self.SLUG)
        return self.credentials.api_key.get_secret_value()

    def _oauth(self, token_path: str, *, basic_auth: bool) -> ClientCredentials:
        creds = self.credentials
        if creds.client_id is None or creds.client_secret is None:
            raise AuthError(f"{self.SLUG}: no OAuth client id/secret configured", carrier=self.SLUG)
        return ClientCredentials(
            token_url=self.url(token_path),
            client_id=creds.client_id,
            client_secret=creds.client_secret.get_secret_value(),
            basic_auth=basic_auth,
        )


class OAuthClient(CarrierClient):
    """A client whose requests carry an OAuth2 client-credentials bearer token (cached; a
    401 fetches a new token once — see :meth:`ClientCredentials.authorized`)."""

    TOKEN_PATH: ClassVar[str]
    TOKEN_BASIC_AUTH: ClassVar[bool]

    def __init__(self, http: CarrierHttp, credentials: Credentials, *, base_url: str | None = None) -> None:
        super().__init__(http, credentials, base_url=base_url)
        self.oauth = self._oauth(self.TOKEN_PATH, basic_auth=self.TOKEN_BASIC_AUTH)

    async def _authorized(self, method: str, path: str, **kwargs: Any) -> Response:
        return await self.oauth.authorized(self.http, method, self.url(path), **kwargs)
