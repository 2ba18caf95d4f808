"""Typed carrier errors. Request-level failures are raised; per-number problems come back
as values (``ParseResult.errors``) so one bad number never fails a batch."""

from __future__ import annotations


class CarrierError(Exception):
    """Base of every error an adapter raises or reports. Never carries a credential."""

    kind = "error"

    def __init__(
        self, message: str, *, carrier: str = "", code: str | None = None, tracking_number: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.carrier = carrier
        self.code = code
        self.tracking_number = tracking_number

    def to_dict(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "carrier": self.carrier or None,
            "code": self.code,
            "tracking_number": self.tracking_number,
            "message": self.message,
        }


class AuthError(CarrierError):
    kind = "auth"


class NotFound(CarrierError):
    """The carrier has no data for this number (yet)."""

    kind = "not_found"


class InvalidNumber(CarrierError):
    kind = "invalid_number"


class RateLimited(CarrierError):
    kind = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: str | None) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class CarrierUnavailable(CarrierError):
    """5xx, timeouts, connection failures: try again later."""

    kind = "unavailable"


class MalformedPayload(CarrierError):
    """The body is not what this API sends: truncated, wrong shape, invalid JSON/XML."""

    kind = "malformed"
