"""Carrier credentials from the environment (or a config mapping), never from the store.

Secrets are ``pydantic.SecretStr``: their repr and str are masked, so a credential that
reaches a log line or an error message shows as ``**********``.

:func:`problem` checks, before any request, that an adapter has the kind of credentials it
uses (an API key, or an OAuth/partner client id and secret): a half-configured source is a
configuration error naming the missing variables, not an AuthError in the middle of a poll.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, SecretStr

ENV_PREFIX = "PARCEL_WATCH_"
KEY_FIELDS = ("api_key", "client_id", "client_secret")  # what makes an adapter a poll source
API_KEY = ("api_key",)
CLIENT = ("client_id", "client_secret")
# The fields each adapter authenticates with.
REQUIRED: dict[str, tuple[str, ...]] = {
    "dhl": API_KEY,
    "ups": CLIENT,
    "fedex": CLIENT,
    "usps": CLIENT,
    "17track": API_KEY,
    "aftership": API_KEY,
    "easypost": API_KEY,
    "canadapost": API_KEY,  # user:password
    "dpd": CLIENT,  # delisId / password
    "royalmail": CLIENT,
    "laposte": API_KEY,
    "sfexpress": CLIENT,  # partnerID / checkword
}


class Credentials(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    api_key: SecretStr | None = None  # DHL, 17TRACK, AfterShip, EasyPost
    client_id: str | None = None  # OAuth2: UPS, FedEx, USPS
    client_secret: SecretStr | None = None
    webhook_secret: SecretStr | None = None  # AfterShip / EasyPost webhook signing
    base_url: str | None = None  # override, e.g. the sandbox carrier

    @property
    def usable(self) -> bool:
        return self.api_key is not None or (self.client_id is not None and self.client_secret is not None)

    @property
    def given(self) -> tuple[str, ...]:
        """The authenticating fields that are set (a webhook secret or base URL alone is not a source)."""
        return tuple(f for f in KEY_FIELDS if getattr(self, f) is not None)


def env_name(slug: str, field: str) -> str:
    return f"{ENV_PREFIX}{slug.upper().replace('-', '_')}_{field.upper()}"


def problem(creds: Credentials) -> str | None:
    """Why ``creds`` cannot authenticate with its adapter, naming the variables; None if they can."""
    slug = creds.slug
    needed = REQUIRED.get(slug, ())
    missing = [env_name(slug, f) for f in needed if getattr(creds, f) is None]
    if missing:
        unused = [env_name(slug, f) for f in creds.given if f not in needed]
        kind = "an API key" if needed == API_KEY else "a client id and secret"
        text = f"{slug} authenticates with {kind}: {' and '.join(missing)} {_verb(missing)} missing"
        return text + (f" ({' and '.join(unused)} {_verb(unused)} not used by {slug})" if unused else "")
    if slug == "canadapost" and creds.api_key is not None:
        user, colon, password = creds.api_key.get_secret_value().partition(":")
        if not (user and colon and password):
            return f"canadapost: {env_name(slug, 'api_key')} must be user:password"
    return None


def _verb(names: list[str]) -> str:
    return "is" if len(names) == 1 else "are"


def load(
    slug: str, env: Mapping[str, str] | None = None, config: Mapping[str, Mapping[str, str]] | None = None
) -> Credentials:
    """``PARCEL_WATCH_<SLUG>_API_KEY`` etc., else the ``[carriers.<slug>]`` config table."""
    env = os.environ if env is None else env
    table = (config or {}).get(slug, {})
    values: dict[str, str] = {}
    for field in ("api_key", "client_id", "client_secret", "webhook_secret", "base_url"):
        value = env.get(env_name(slug, field)) or table.get(field)
        if value:
            values[field] = value
    return Credentials(slug=slug, **values)  # type: ignore[arg-type]
