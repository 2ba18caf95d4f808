"""Offline tracking-number detection and validation, driven by the
tracking_number_data corpus (jkeen, MIT) shipped in ./data."""

from .detector import (
    Candidate,
    InvalidTrackingNumber,
    acceptable,
    best,
    carriers,
    detect,
    normalize_number,
    postal_operator,
    require_valid,
)
from .extract import extract

__all__ = [
    "Candidate",
    "InvalidTrackingNumber",
    "acceptable",
    "best",
    "carriers",
    "detect",
    "extract",
    "normalize_number",
    "postal_operator",
    "require_valid",
]
