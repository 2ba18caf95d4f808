"""The one HTTP layer every adapter uses: timeouts, error mapping, OAuth2 token caching.

Transport problems become typed errors here (with ``from`` the cause); what a 2xx/4xx body
means is the adapter's parser's business. Error messages name the host and path, never the
query string or headers, where API keys and tokens live.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Self

import aiohttp
from yarl import URL

from carriers.errors import AuthError, CarrierUnavailable, MalformedPayload, RateLimited
from carriers.parsing import load_json

DEFAULT_TIMEOUT_S = 20.0
MAX_BODY_BYTES = 8 * 1024 * 1024  # a tracking answer is KBs; anything near this is not one


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


MAX_RETRY_AFTER = 7 * 24 * 3600.0  # a longer wait is not a rate limit: then poll in a week


def retry_after_seconds(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3), at most a week
    (a huge value would overflow the scheduler's datetimes); None when it is neither."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # isdigit() alone takes "²", which float() refuses
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return min(max(0.0, when.timestamp() - now()), MAX_RETRY_AFTER)


def _where(url: URL | str) -> str:
    u = URL(str(url))
    return f"{u.host or ''}{u.path}"


class CarrierHttp:
    """Session owner (or borrower) for one carrier; closes only a session it created."""

    def __init__(
        self,
        carrier: str,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.carrier = carrier
        self._session = session
        self._own_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._max_body = max_body

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def request(
        self, method: str, url: str | URL, *, passthrough: Collection[int] = (), **kwargs: Any
    ) -> Response:
        """One HTTP exchange. Raises AuthError (401/403), RateLimited (429), CarrierUnavailable
        (5xx, timeout, connection or protocol failure) and MalformedPayload (oversized body).
        A status in ``passthrough`` is returned instead (SOAP 1.1 sends faults as HTTP 500)."""
        where = _where(url)
        try:
            async with self.session.request(method, url, timeout=self._timeout, **kwargs) as resp:
                body = await self._read(resp, where)
                status, headers = resp.status, dict(resp.headers)
        except TimeoutError as exc:
            raise CarrierUnavailable(
                f"{where}: no answer within {self._timeout.total:g} s", carrier=self.carrier
            ) from exc
        except aiohttp.ClientPayloadError as exc:
            raise MalformedPayload(
                f"{where}: body cut short ({exc.__class__.__name__})", carrier=self.carrier
            ) from exc
        except aiohttp.ClientError as exc:
            raise CarrierUnavailable(f"{where}: {exc.__class__.__name__}", carrier=self.carrier) from exc
        if status in passthrough:
            return Response(status, headers, body)
        if status in (401, 403):
            raise AuthError(
                f"{where}: HTTP {status} (credentials refused)", carrier=self.carrier, code=str(status)
            )
        if status == 429:
            wait = retry_after_seconds(headers.get("Retry-After"))
            raise RateLimited(
                f"{where}: HTTP 429 (rate limited)", retry_after=wait, carrier=self.carrier, code="429"
            )
        if status >= 500:
            raise CarrierUnavailable(f"{where}: HTTP {status}", carrier=self.carrier, code=str(status))
        return Response(status, headers, body)

    async def _read(self, resp: aiohttp.ClientResponse, where: str) -> bytes:
        declared = resp.content_length
        if declared is not None and declared > self._max_body:
            raise MalformedPayload(f"{where}: body of {declared} bytes refused", carrier=self.carrier)
        chunks, size = [], 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > self._max_body:
                raise MalformedPayload(
                    f"{where}: body over {self._max_body} bytes refused", carrier=self.carrier
                )
            chunks.append(chunk)
        return b"".join(chunks)


@dataclass
class ClientCredentials:
    """OAuth2 client-credentials grant (UPS: HTTP Basic; FedEx/USPS: form fields), with the
    token cached until shortly before it expires. The secret never leaves this object."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    basic_auth: bool = True
    refresh_margin_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _token: str | None = field(default=None, repr=False)
    _expires_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    fetched: int = 0  # how many tokens were fetched (for tests and diagnostics)

    def invalidate(self) -> None:
        self._token = None

    async def token(self, http: CarrierHttp) -> str:
        async with self._lock:  # concurrent callers share one refresh
            if self._token is None or self.clock() >= self._expires_at - self.refresh_margin_s:
                await self._fetch(http)
            assert self._token is not None
            return self._token

    async def _fetch(self, http: CarrierHttp) -> None:
        form = {"grant_type": "client_credentials"}
        headers = {}
        if self.basic_auth:  # client_secret_basic (RFC 6749 §2.3.1)
            pair = f"{self.client_id}:{self.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        else:
            form |= {"client_id": self.client_id, "client_secret": self.client_secret}
        resp = await http.request("POST", self.token_url, data=form, headers=headers)
        try:
            data = load_json(resp.body)
            token, expires_in = str(data["access_token"]), float(data.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            if resp.status >= 400:
                raise AuthError(
                    f"{_where(self.token_url)}: token refused (HTTP {resp.status})", carrier=http.carrier
                ) from exc
            raise MalformedPayload(
                f"{_where(self.token_url)}: no access_token in the answer", carrier=http.carrier
            ) from exc
        self._token, self._expires_at = token, self.clock() + expires_in
        self.fetched += 1

    async def authorized(self, http: CarrierHttp, method: str, url: str | URL, **kwargs: Any) -> Response:
        """A request with the bearer token; on 401 the token is fetched again, once."""
        headers = dict(kwargs.pop("headers", None) or {})
        for attempt in (1, 2):
            headers["Authorization"] = f"Bearer {await self.token(http)}"
            try:
                return await http.request(method, url, headers=headers, **kwargs)
            except AuthError:
                if attempt == 2:
                    raise
                self.invalidate()
        raise AssertionError("unreachable")
