"""The token's shape: its public id is found in any token we make, and nothing else is
mistaken for one (property tests over the pure parsing)."""

from __future__ import annotations

import secrets

from hypothesis import given
from hypothesis import strategies as st

from parcel_watch.api import tokens

SECRETS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1)


@given(st.binary(min_size=8, max_size=8), SECRETS)
def test_the_id_of_a_token_is_its_second_part_whatever_its_secret_holds(raw_id: bytes, secret: str) -> None:
    assert tokens.split(f"pw_{raw_id.hex()}_{secret}") == raw_id.hex()


@given(st.text())
def test_any_text_either_has_no_id_or_one_that_starts_it(text: str) -> None:
    found = tokens.split(text)
    assert found is None or (len(found) == 16 and text.startswith(f"pw_{found}_"))


def test_a_token_without_its_prefix_or_with_a_short_id_is_not_one() -> None:
    secret = secrets.token_urlsafe(32)
    assert tokens.split(f"xx_0123456789abcdef_{secret}") is None
    assert tokens.split(f"pw_0123abcd_{secret}") is None
    assert tokens.split("pw_0123456789abcdef") is None
