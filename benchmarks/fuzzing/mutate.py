"""Hypothesis strategies that mutate real inputs: every one draws a seed (a carrier fixture,
a merchant export, a tracking number) and breaks it the ways outside data breaks: keys
dropped, types swapped, huge and non-finite numbers, odd Unicode, deep nesting, truncation.
Each strategy gives the bytes a target reads."""

from __future__ import annotations

import copy
import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

SEP = "\x1f"
MAX_TEXT = 200_000  # between the fields of a multi-field input (unit separator)

# Strings that have broken parsers before: digits that are not ASCII, case changes that
# change the length, controls and bidi marks, huge and non-finite numbers, impossible dates.
# fmt: off
ODD_STRINGS = [
    "", " ", "\x00", "\ufeff", "\u202e", "\u2028", "\r", "\t", "\x1b[2J", "\x9b31m", "\x1b]0;x\x07",
    "١٢٣٤", "２０２６-０１-０２", "𝟙𝟚.𝟛", "²", "½", "ß", "ﬁ", "İ", "ǅ", "ŉ", "\U0001f4e6", "\ud800",
    "9" * 5000, "1e999999", "-1", "-0", "0", "NaN", "nan", "Infinity", "-inf", "1_000", "0x10", "1e3",
    "12,50 €", "$", "€", "US$ 1.234,56", "1.234.567,89", "1,234,567.89", "1 234,5", "12.345.678",
    "2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31", "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-12:00", "2026-03-29T02:30:00", "2026-01-01T25:00:00", "24:00", "23:60",
    "2026-01-01T00:00:00+99:99", "20260101", "Feb-30-25", "31/12/2026", "12/31/2026", "T",
    "Z", "+00:00", "null", "None", "true", "[]", "{}", "<a>", '"', "'", ",", ";", "|", "=", "\\", "%",
    "%Y", "%", "YYYY-MM-DD", "DD/MM/YYYY", "MMM", "x" * 300, "A" * 100_000, "1Z" * 50, "EUR", "eur",
    "XTS", "US", "us", "USA", "Deutschland", "Côte d'Ivoire", "中国", "GB", "UK", "dhl", "DHL Express",
    "9" * 20_000, "0 " * 5000, "999." * 5000, "1," * 5000, "a@" * 5000, "jan " * 5000, "+1 " * 5000,
]
# fmt: on
_HUGE = [10**30, -(10**30), 2**63, 2**64 + 1, 10**4299, 1e308, -1e308, 5e-324]


def odd_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_STRINGS),
        st.text(max_size=30),
        st.builds(lambda a, b: a + b, st.sampled_from(ODD_STRINGS), st.text(max_size=8)),
    )


def _nested(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf] if depth % 2 else {"a": leaf}
    return leaf


def json_value() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from(_HUGE),
        st.floats(),
        odd_text(),
        st.just([]),
        st.just({}),
        st.lists(odd_text(), max_size=3),
        st.dictionaries(odd_text(), odd_text(), max_size=3),
        st.builds(_nested, st.integers(1, 400), st.none()),
    )


def _slots(node: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) under ``node``, so a mutation can reach any value."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        out.append((node, key))
        if len(out) < 5000:
            _slots(value, out)
    return out


@st.composite
def mutated_json(draw: st.DrawFn, docs: Sequence[Any]) -> bytes:
    root = {"": copy.deepcopy(draw(st.sampled_from(list(docs))))}
    for _ in range(draw(st.integers(0, 6))):
        slots = _slots(root, [])
        parent, key = draw(st.sampled_from(slots))
        op = draw(st.sampled_from(["drop", "replace", "retype", "copy", "rename", "dup"]))
        value = parent[key]
        if op == "drop" and parent is not root:
            del parent[key]
        elif op == "replace":
            parent[key] = draw(json_value())
        elif op == "retype":
            parent[key] = draw(
                st.sampled_from([[value], {"x": value}, str(value)[:200], len(str(value)), None])
            )
        elif op == "copy":
            other, other_key = draw(st.sampled_from(slots))
            parent[key] = copy.deepcopy(other[other_key])
        elif op == "rename" and isinstance(parent, dict) and parent is not root:
            parent[draw(odd_text())] = parent.pop(key)
        elif op == "dup" and isinstance(parent, list):
            parent.extend([copy.deepcopy(value)] * draw(st.integers(1, 50)))
    text: str = json.dumps(root[""], ensure_ascii=draw(st.booleans()), allow_nan=True)
    if draw(st.integers(0, 9)) == 0:  # around the document: deep nesting, truncation, junk
        depth = draw(st.integers(1, 50_000))
        text = draw(st.sampled_from(["[" * depth + text + "]" * depth, text[: len(text) // 2], text + "x"]))
    return text.encode("utf-8", errors="surrogatepass")


def _parents(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


@st.composite
def mutated_xml(draw: st.DrawFn, docs: Sequence[bytes]) -> bytes:
    root = ET.fromstring(draw(st.sampled_from(list(docs))))
    for _ in range(draw(st.integers(0, 6))):
        elements = list(root.iter())
        element = draw(st.sampled_from(elements))
        parent = _parents(root).get(element)
        op = draw(st.sampled_from(["drop", "text", "dup", "attr", "rename", "nest", "empty"]))
        if op == "drop" and parent is not None:
            parent.remove(element)
        elif op == "text":
            element.text = draw(odd_text())
        elif op == "dup" and parent is not None:
            for _ in range(draw(st.integers(1, 20))):
                parent.append(copy.deepcopy(element))
        elif op == "attr":
            element.set(draw(st.sampled_from(["id", "code", "x"])), draw(odd_text()))
        elif op == "rename":
            tag = draw(st.sampled_from([e.tag for e in elements]))
            element.tag = tag if isinstance(tag, str) else "x"
        elif op == "nest":
            inner = element
            for _ in range(draw(st.integers(1, 300))):
                inner = ET.SubElement(inner, element.tag if isinstance(element.tag, str) else "x")
        elif op == "empty":
            element.text = None
            for child in list(element):
                element.remove(child)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if draw(st.integers(0, 9)) == 0:  # a declared encoding that is wrong or unknown
        encoding = draw(st.sampled_from([b"utf-16", b"UTF-4", b"UTF-7", b"latin-1", b"ebcdic", b"", b"\xff"]))
        data = data.replace(b"encoding='utf-8'", b"encoding='" + encoding + b"'", 1)
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.sampled_from([data[: len(data) // 2], b"\xef\xbb\xbf" + data, data * 2]))
    return data


def _delimiter(text: str) -> str:
    header = text.lstrip("\ufeff\n\r").partition("\n")[0]
    return max("\t,;|", key=header.count)


@st.composite
def mutated_csv(draw: st.DrawFn, docs: Sequence[str]) -> bytes:
    text = draw(st.sampled_from(list(docs)))
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    rows = [r for r in rows if r] or [["tracking_number"]]
    for _ in range(draw(st.integers(0, 8))):
        r = draw(st.integers(0, len(rows) - 1))
        row = rows[r]
        op = draw(st.sampled_from(["cell", "cell", "swap", "dropcol", "droprow", "duprow", "extra", "short"]))
        c = draw(st.integers(0, max(0, len(row) - 1)))
        if op == "cell" and row:
            row[c] = draw(odd_text())
        elif op == "swap" and row:
            other = draw(st.sampled_from(rows))
            row[c] = draw(st.sampled_from(other)) if other else ""
        elif op == "dropcol":
            rows = [x[:c] + x[c + 1 :] for x in rows]
        elif op == "droprow" and r > 0:
            del rows[r]
        elif op == "duprow":
            rows.extend([list(row)] * draw(st.integers(1, 30)))
        elif op == "extra":
            row.append(draw(odd_text()))
        elif op == "short":
            del row[c:]
    out = io.StringIO(newline="")
    delimiter = draw(st.sampled_from(",;\t|"))
    writer = csv.writer(
        out, delimiter=delimiter, quoting=csv.QUOTE_ALL if draw(st.booleans()) else csv.QUOTE_MINIMAL
    )
    writer.writerows(rows)
    body = out.getvalue()
    if draw(st.integers(0, 9)) == 0:  # stray quotes, lone CR, a BOM, another encoding
        junk = draw(st.sampled_from(['"', "\r", "\ufeff", '""x"', "\x00"]))
        at = draw(st.integers(0, len(body)))
        body = body[:at] + junk + body[at:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return body.encode(encoding, errors="replace")


@st.composite
def text_pieces(draw: st.DrawFn, seeds: Sequence[str], max_repeat: int = 2000) -> bytes:
    """Text made of seed parts and odd strings, sometimes one part repeated many times."""
    parts = draw(st.lists(st.one_of(st.sampled_from(list(seeds)), odd_text()), min_size=1, max_size=6))
    if draw(st.integers(0, 9)) == 0:
        parts.append(draw(st.sampled_from(parts)) * draw(st.integers(2, max_repeat)))
    joiner = draw(st.sampled_from(["", " ", "\n", ", ", "-"]))
    # At most 200,000 characters: enough for anything quadratic to pass the 2 s timeout by far,
    # while linear work on a megabyte (about 3 s for all of carrier-text) is no finding.
    return joiner.join(parts)[:MAX_TEXT].encode("utf-8", errors="surrogatepass")


@st.composite
def fields(draw: st.DrawFn, count: int, seeds: Sequence[str]) -> bytes:
    """``count`` fields joined by SEP, each a seed value or an odd string."""
    values = [draw(st.one_of(st.sampled_from(list(seeds)), odd_text())) for _ in range(count)]
    return SEP.join(values).encode("utf-8", errors="surrogatepass")
