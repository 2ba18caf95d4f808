"""Shared helpers: the packaged corpus as pytest parameters."""

from __future__ import annotations

import pytest

from parcel_watch.detect.spec import Format, formats


def _param_id(fmt: Format, raw: str) -> str:
    return f"{fmt.id}[{raw.strip()}]"


def valid_numbers() -> list[object]:
    return [pytest.param(f, raw, id=_param_id(f, raw)) for f in formats() for raw in f.valid]


def invalid_numbers() -> list[object]:
    return [pytest.param(f, raw, id=_param_id(f, raw)) for f in formats() for raw in f.invalid]


def checksum_formats() -> list[Format]:
    return [f for f in formats() if f.checksum is not None]


def by_id(format_id: str) -> Format:
    return next(f for f in formats() if f.id == format_id)
