"""Targets for carrier data: each adapter's ``parse``, webhook bodies, webhook signatures.

An adapter's parse never raises (carriers/parsing.py): every problem is a MalformedPayload in
the result. So here nothing is a documented error, and one more thing is a crash: an
exception the adapter's last-resort ``except Exception`` turned into the vague
"unexpected payload shape (KeyError)" — the shape was not foreseen. The harness spies on
``malformed`` while the catch-all is handling the exception, and reports its cause.
"""

from __future__ import annotations

import inspect
import json
import sys
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import strategies as st

from fuzzing import mutate
from fuzzing.crashes import HiddenByCatchAll
from fuzzing.target import FIXTURES, ROOT, Errors, Run, Target, text

FOLDERS = {
    "dhl": ["dhl"],
    "ups": ["ups"],
    "fedex": ["fedex"],
    "usps": ["usps"],
    "17track": ["17track"],
    "aftership": ["aftership"],
    "easypost": ["easypost"],
    "canadapost": ["canadapost"],
    "dpd": ["dpd"],
    "royalmail": ["royalmail"],
    "laposte": ["laposte"],
    "sfexpress": ["sf_express"],
}
WEBHOOKS = ("17track", "aftership", "easypost")
_hidden: list[BaseException] = []


def _fixture_files(slug: str) -> list[Path]:
    return sorted(
        p
        for folder in FOLDERS[slug]
        for p in (FIXTURES / "carriers" / folder).iterdir()
        if p.suffix in (".json", ".xml") and ".expected." not in p.name
    )


def _seeds(slug: str) -> list[bytes]:
    return [p.read_bytes() for p in _fixture_files(slug)]


def _webhook_seeds(provider: str) -> list[bytes]:
    seeds = [s for p, s in zip(_fixture_files(provider), _seeds(provider)) if "webhook" in p.name]
    if provider == "aftership":  # no recorded push: the push wraps a tracking object in "msg"
        tracking = json.loads(
            (FIXTURES / "carriers/aftership/v4_get_tracking_in_transit_postnl.json").read_bytes()
        )
        body = {"event": "tracking_update", "event_id": "e1", "msg": tracking["data"]["tracking"]}
        seeds.append(json.dumps(body).encode())
    return seeds


def _strategy(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    docs = [json.loads(s) for s in seeds if s.lstrip()[:1] in (b"{", b"[")]
    xml = [s for s in seeds if s.lstrip()[:1] == b"<"]
    options = [mutate.mutated_json(docs)] if docs else []
    options += [mutate.mutated_xml(xml)] if xml else []
    return st.one_of(*options)


def _raised_in_adapter(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1].filename if frames else ""
    # parsing.py and xmlapi.py raise their ValueErrors on purpose, worded for the user.
    return last.startswith(str(ROOT / "carriers")) and not last.endswith(("xmlapi.py", "parsing.py"))


def _spy(original: Callable[..., Any]) -> Callable[..., Any]:
    def malformed(slug: str, message: str, number: str | None = None) -> Any:
        exc = sys.exc_info()[1]
        vague = message.startswith("unexpected payload shape")
        # USPS reads "not valid JSON/XML" from any ValueError: one raised by the adapter's own
        # code (a date it could not build) is an unforeseen value, not bad JSON.
        misread = message.startswith("not valid JSON") and not isinstance(exc, UnicodeError)
        if exc is not None and (vague or (misread and _raised_in_adapter(exc))):
            _hidden.append(exc)
        return original(slug, message, number)

    malformed.spied = True  # type: ignore[attr-defined]
    return malformed


def _watch_catch_alls(*modules: ModuleType) -> None:
    for module in modules:
        current = getattr(module, "malformed", None)
        if current is not None and not getattr(current, "spied", False):
            module.malformed = _spy(current)  # type: ignore[attr-defined]


def _parse_everything(parse: Callable[..., Any], data: bytes) -> None:
    _hidden.clear()
    result = parse(data)
    result.updates()  # what the poller and the webhook receiver do next
    json.dumps(result.to_dict())  # what `parcel-watch parse --json` prints
    if "known" in inspect.signature(parse).parameters:  # the poller's second look
        known = {s.tracking_number: s.fingerprint for s in result.shipments if s.fingerprint is not None}
        parse(data, known).updates()
    if _hidden:
        cause = _hidden[0]
        raise HiddenByCatchAll(f"{type(cause).__name__}: {cause}") from cause


def _load_carrier(slug: str) -> tuple[Run, Errors]:
    import carriers
    from carriers import parsing

    module = carriers.adapter(slug)
    _watch_catch_alls(parsing, module)
    return partial(_parse_everything, module.parse), ()


def _load_webhook(provider: str) -> tuple[Run, Errors]:
    from carriers.signatures import SIGNATURE_HEADERS, SIGNERS, ReplayGuard, verify

    parse, _ = _load_carrier(provider)
    guard = ReplayGuard()
    secret = "whsec_fuzz"

    def run(body: bytes) -> None:
        headers = {SIGNATURE_HEADERS[provider]: SIGNERS[provider](body, secret)}
        if not verify(provider, body, headers, secret):
            raise AssertionError("a body signed with the secret was refused")
        guard.first_time(body)
        parse(body)

    return run, ()


def _load_signatures() -> tuple[Run, Errors]:
    from carriers.signatures import SIGNATURE_HEADERS, SIGNERS, ReplayGuard, verify

    providers = sorted(SIGNATURE_HEADERS)
    guard = ReplayGuard(max_entries=1000)

    def run(data: bytes) -> None:
        provider = providers[data[0] % len(providers)] if data else providers[0]
        header, _, rest = data[1:].partition(b"\n")
        secret, _, body = rest.partition(b"\n")
        name = SIGNATURE_HEADERS[provider]
        value, key = text(header), text(secret)  # as aiohttp and os.environ decode them
        verify(provider, body, {name.upper(): value}, key)
        verify(provider, body, {name: SIGNERS[provider](body, "s")}, key)
        guard.first_time(body)

    return run, ()


def _signature_seeds() -> list[bytes]:
    return [bytes([n]) + b"abc\nsecret\n" + b'{"event":"x"}' for n in range(3)]


def _signature_strategy() -> st.SearchStrategy[bytes]:
    return st.builds(
        lambda n, header, secret, body: bytes([n]) + header + b"\n" + secret + b"\n" + body,
        st.integers(0, 255),
        st.one_of(st.binary(max_size=80), st.sampled_from([b"\xff", b"hmac-sha256-hex=\xc3", b" \x00"])),
        st.one_of(
            st.binary(max_size=40), st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass"))
        ),
        st.binary(max_size=200),
    )


def carrier_targets() -> list[Target]:
    targets = [
        Target(
            f"carrier-{slug}",
            partial(_load_carrier, slug),
            partial(_seeds, slug),
            lambda slug=slug: _strategy(_seeds(slug)),  # type: ignore[misc]
            about=f"carriers.{slug} parse, updates, to_dict",
        )
        for slug in FOLDERS
    ]
    targets += [
        Target(
            f"webhook-{provider}",
            partial(_load_webhook, provider),
            partial(_webhook_seeds, provider),
            lambda provider=provider: _strategy(_webhook_seeds(provider)),  # type: ignore[misc]
            about="signed push: verify, replay guard, parse",
        )
        for provider in WEBHOOKS
    ]
    targets.append(
        Target(
            "signatures", _load_signatures, _signature_seeds, _signature_strategy, about="carriers.signatures"
        )
    )
    return targets
