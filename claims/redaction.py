"""Personal data out of what an evidence pack exports: carrier payloads and claim documents.

A carrier payload is evidence because it is exact, and personal because it names people:
recipients, signatories, street addresses, phone numbers, e-mail addresses. Exported without
``--include-personal-data``, a JSON or XML payload becomes a redacted copy: values under keys
that name a person or a street (``recipientName``, ``signedBy``, ``streetLines``, ``phone``,
``email``...) are replaced by ``[redacted]``, and every other text goes through
``parcel_watch.redact`` (e-mails, phone numbers, names after "signed by"). Cities, postal
codes and countries stay: they are where the scans happened. A payload in which nothing was
found is kept byte for byte; one that cannot be parsed is withheld, since it cannot be
cleaned. The manifest says which.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from carriers.parsing import load_json
from parcel_watch.redact import REDACTED, redact


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Keys (lowercase, letters and digits only) whose value is personal whatever it says.
_PERSONAL_KEYS = _words(
    """
    name fullname firstname lastname middlename givenname familyname surname personname
    contactname attentionname attention recipientname receivername consigneename customername
    signername signedby signedbyname signatory signatoryname signature receivedby signedfor
    street streetline streetlines street1 street2 street3 streetaddress streetname housenumber
    address1 address2 address3 addressline addressline1 addressline2 addressline3 addresslines
    line1 line2 line3 phone phonenumber telephone tel mobile fax email emailaddress mail
    """
)
# Keys that hold a person: a text under them is a name, a mapping is looked into.
_PERSON_HOLDERS = _words(
    "recipient receiver consignee addressee shipper sender contact customer signedfor deliveredto"
)
# Parts of keys that mark personal data wherever they appear ("recipientPhoneNumber").
_PERSONAL_PARTS = ("phone", "email", "street", "signedby", "receivedby", "signatory", "signer")
# A "...name" key is a person's name when the rest of it says whose ("recipientName").
_WHOSE_NAME = ("person", "first", "last", "full", "given", "family", "middle", "attention", *_PERSON_HOLDERS)
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


class PayloadExport(StrEnum):
    EXACT = "exact"  # the bytes as received: nothing personal found, or personal data included
    REDACTED = "redacted"  # a copy with personal data replaced
    WITHHELD = "withheld"  # not parseable, so not redactable: left out


@dataclass(frozen=True)
class ExportedPayload:
    how: PayloadExport
    data: bytes  # empty when withheld
    extension: str  # "json", "xml", "bin"


def _key(name: str) -> str:
    return _NOT_ALNUM.sub("", name.rpartition("}")[2].lower())


def personal_key(name: str) -> bool:
    key = _key(name)
    return (
        key in _PERSONAL_KEYS
        or any(part in key for part in _PERSONAL_PARTS)
        or (key.endswith("name") and any(whose in key for whose in _WHOSE_NAME))
    )


def _personal(name: str, value: object) -> bool:
    return personal_key(name) or (_key(name) in _PERSON_HOLDERS and isinstance(value, str | int))


def _redact_json(value: Any, personal: bool) -> tuple[Any, bool]:
    """(redacted value, whether anything changed)."""
    if isinstance(value, str):
        new = REDACTED if personal and value.strip() else redact(value)
        return new, new != value
    if isinstance(value, Mapping):
        changed = False
        out: dict[str, Any] = {}
        for key, item in value.items():
            out[key], item_changed = _redact_json(item, personal or _personal(str(key), item))
            changed |= item_changed
        return out, changed
    if isinstance(value, list):
        items = [_redact_json(item, personal) for item in value]
        return [v for v, _ in items], any(c for _, c in items)
    if personal and isinstance(value, int | float) and not isinstance(value, bool):
        return REDACTED, True  # a phone number given as a JSON number
    return value, False


def _redact_xml(root: ET.Element) -> bool:
    changed = False
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        # A leaf under a person-holding tag (<Recipient>Jane Doe</Recipient>) is a name.
        personal = personal_key(tag) or (_key(tag) in _PERSON_HOLDERS and len(element) == 0)
        if element.text and element.text.strip():
            new = REDACTED if personal else redact(element.text)
            changed |= new != element.text
            element.text = new
        for name, value in element.attrib.items():
            new = REDACTED if personal_key(name) else redact(value)
            changed |= new != value
            element.attrib[name] = new
    return changed


def _kind(content_type: str, body: bytes) -> str:
    lowered = content_type.lower()
    head = body.lstrip()[:1]
    if "json" in lowered or (not lowered and head in (b"{", b"[")):
        return "json"
    if "xml" in lowered or (not lowered and head == b"<"):
        return "xml"
    return "bin"


def export_payload(body: bytes, content_type: str, *, include_personal: bool) -> ExportedPayload:
    """What an evidence pack writes for one stored payload (see the module rules)."""
    kind = _kind(content_type, body)
    if include_personal:
        return ExportedPayload(PayloadExport.EXACT, body, kind)
    if kind == "json":
        try:
            parsed = load_json(body)  # outside JSON: size and depth limits (no RecursionError)
        except ValueError:
            return ExportedPayload(PayloadExport.WITHHELD, b"", kind)
        redacted, changed = _redact_json(parsed, False)
        if not changed:
            return ExportedPayload(PayloadExport.EXACT, body, kind)
        text = json.dumps(redacted, ensure_ascii=False, indent=2) + "\n"
        return ExportedPayload(PayloadExport.REDACTED, text.encode("utf-8"), kind)
    if kind == "xml":
        try:
            # defusedxml, DTDs forbidden: a stored body is still carrier data (no entity tricks).
            root = SafeET.fromstring(body, forbid_dtd=True)
        except (DefusedXmlException, ET.ParseError, LookupError, ValueError):  # also encoding="UTF-4"
            return ExportedPayload(PayloadExport.WITHHELD, b"", kind)
        if not _redact_xml(root):
            return ExportedPayload(PayloadExport.EXACT, body, kind)
        try:
            data = ET.tostring(root, encoding="utf-8")
        except RecursionError:  # ElementTree writes recursively: a few thousand nested elements
            return ExportedPayload(PayloadExport.WITHHELD, b"", kind)
        return ExportedPayload(PayloadExport.REDACTED, data, kind)
    return ExportedPayload(PayloadExport.WITHHELD, b"", kind)


def redact_document(value: Any) -> Any:
    """A claim document (JSON-ready) with e-mails, phone numbers and hand-over names
    replaced in every text; the structure and the non-text values stay."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {key: redact_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_document(item) for item in value]
    return value
