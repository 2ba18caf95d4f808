"""The contract every adapter's parser keeps, checked on every fixture of every adapter:
the hand-checked expected result, and nothing but typed errors for mangled input."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carriers import ADAPTERS, parser
from carriers.errors import MalformedPayload
from tests.carriers.parsers import expected, fixtures, sound

CASES = [(slug, path) for slug in ADAPTERS for path in fixtures(slug)]
JSON_CASES = [(slug, path) for slug, path in CASES if path.suffix == ".json"]
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
# Values real payloads get wrong: impossible dates, a code where a date belongs.
TRICKY = st.sampled_from(
    ["", "2017-20-10T09:00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-12:00", "DL"]
)


def ids(case: tuple[str, Path]) -> str:
    return f"{case[0]}:{case[1].name}"


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, value in items:
        yield from paths(value, (*prefix, key))


def replaced(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def test_every_adapter_has_fixtures_with_expected_results() -> None:
    for slug in ADAPTERS:
        assert fixtures(slug), slug
        for path in fixtures(slug):
            assert path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").exists(), path


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_fixture_parses_to_its_checked_expected_result(case: tuple[str, Path]) -> None:
    slug, fixture = case
    assert parser(slug)(fixture.read_bytes()).to_dict() == expected(fixture)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_text_and_bytes_parse_alike(case: tuple[str, Path]) -> None:
    slug, fixture = case
    parse = parser(slug)
    assert parse(fixture.read_text(encoding="utf-8")).to_dict() == parse(fixture.read_bytes()).to_dict()


@pytest.mark.parametrize("case", CASES, ids=ids)
@FUZZ
@given(data=st.data())
def test_byte_deletions_never_raise(case: tuple[str, Path], data: st.DataObject) -> None:
    slug, fixture = case
    raw = bytearray(fixture.read_bytes())
    for index in sorted(set(data.draw(st.lists(st.integers(0, len(raw) - 1), max_size=12))), reverse=True):
        del raw[index]
    sound(parser(slug)(bytes(raw)))


@pytest.mark.parametrize("case", CASES, ids=ids)
@FUZZ
@given(data=st.data())
def test_truncation_is_malformed_never_a_crash(case: tuple[str, Path], data: st.DataObject) -> None:
    slug, fixture = case
    raw = fixture.read_bytes().rstrip()
    result = sound(parser(slug)(raw[: data.draw(st.integers(0, len(raw) - 1))]))
    assert any(isinstance(error, MalformedPayload) for error in result.errors)


@pytest.mark.parametrize("case", JSON_CASES, ids=ids)
@FUZZ
@given(data=st.data())
def test_json_value_replacement_never_raises(case: tuple[str, Path], data: st.DataObject) -> None:
    slug, fixture = case
    doc = json.loads(fixture.read_bytes())
    for _ in range(data.draw(st.integers(1, 3))):
        doc = replaced(doc, data.draw(st.sampled_from(list(paths(doc)))), data.draw(JSON_VALUES | TRICKY))
    sound(parser(slug)(json.dumps(doc)))


@pytest.mark.parametrize("slug", sorted(ADAPTERS))
def test_a_body_nested_deeper_than_the_stack_is_a_malformed_payload(slug: str) -> None:
    result = parser(slug)(b"[" * 100_000)
    assert result.shipments == [] and [type(e) for e in result.errors] == [MalformedPayload]
