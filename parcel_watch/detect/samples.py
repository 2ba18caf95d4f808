"""Plausible tracking numbers of a given format (for the demo and tests): a corpus test
number with its serial digits redrawn and its check digit recomputed, so detection
recognises the result as that carrier's."""

from __future__ import annotations

import random

from parcel_watch.detect.checksums import compute_check
from parcel_watch.detect.detector import detect, normalize_number
from parcel_watch.detect.spec import formats


def sample_number(format_id: str, rng: random.Random) -> str:
    fmt = next(f for f in formats() if f.id == format_id)
    template = normalize_number(fmt.valid[0])
    for _ in range(200):
        match = fmt.regex.fullmatch(template)
        assert match is not None, (format_id, template)
        start, end = match.span("SerialNumber")
        serial = "".join(rng.choice("0123456789") if c.isdigit() else c for c in template[start:end])
        number = template[:start] + serial + template[end:]
        if fmt.checksum is not None:
            m = fmt.regex.fullmatch(number)
            if m is None:
                continue
            check = compute_check(fmt.checksum, fmt.checksum_input(m.group("SerialNumber")))
            c_start, c_end = m.span("CheckDigit")
            number = number[:c_start] + check + number[c_end:]
        # Ranges overlap (USPS/FedEx): the format must read it, not necessarily first.
        if any(
            c.format_id == format_id and (c.valid_checksum or fmt.checksum is None) for c in detect(number)
        ):
            return number
    raise ValueError(f"could not make a {format_id} number")
