"""Carrier credentials from the environment (or a config mapping), never from the store.

Secrets are ``pydantic.SecretStr``: their repr and str are masked, so a credential that
reaches a log line or an error message shows as ``**********``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, SecretStr

ENV_PREFIX = "PARCEL_WATCH_"


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


def _env_name(slug: str, field: str) -> str:
    return f"{ENV_PREFIX}{slug.upper().replace('-', '_')}_{field.upper()}"


def load(
    slug: str, env: Mapping[str, str] | None = None, config: Mapping[str, Mapping[str, str]] | None = None
) -> Credentials:
    """``PARCEL_WATCH_<SLUG>_API_KEY`` etc., else the ``[carriers.<slug>]`` config table."""
    env = os.environ if env is None else env
    table = (config or {}).get(slug, {})
    values: dict[str, str] = {}
    for field in ("api_key", "client_id", "client_secret", "webhook_secret", "base_url"):
        value = env.get(_env_name(slug, field)) or table.get(field)
        if value:
            values[field] = value
    return Credentials(slug=slug, **values)  # type: ignore[arg-type]
