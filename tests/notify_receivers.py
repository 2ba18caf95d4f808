"""Real local receivers for notification tests: an aiohttp server that takes apprise's
``json://`` posts, and an aiosmtpd SMTP server that takes ``mailto://`` mail.

The HTTP receiver answers with the statuses queued in ``answers`` (then 200), or never
answers while ``hang`` is set: a dead service as apprise meets it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class JsonReceiver:
    server: TestServer | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to give, in order; then 200
    refused: int = 0  # posts answered with an error
    hang: bool = False

    def url(self, path: str = "hook") -> str:
        assert self.server is not None and self.server.port is not None
        return f"json://127.0.0.1:{self.server.port}/{path}"

    @property
    def titles(self) -> list[str]:
        return [m["title"] for m in self.messages]

    async def receive(self, request: web.Request) -> web.Response:
        if self.hang:
            await asyncio.sleep(3600)
        body = await request.json()
        status = self.answers.pop(0) if self.answers else 200
        if status >= 400:
            self.refused += 1
            return web.Response(status=status, text="receiver is down")
        self.messages.append({"path": request.match_info["path"], **body})
        return web.Response(status=status)


@pytest.fixture
async def receiver() -> AsyncIterator[JsonReceiver]:
    got = JsonReceiver()
    app = web.Application()
    app.router.add_post("/{path}", got.receive)
    got.server = TestServer(app, host="127.0.0.1")
    await got.server.start_server()
    try:
        yield got
    finally:
        got.hang = False
        await got.server.close()


class _Inbox:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        assert isinstance(raw, bytes)
        self.mails.append(email.message_from_bytes(raw, policy=email.policy.default))  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpReceiver:
    inbox: _Inbox
    port: int

    def url(self, to: str = "me@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=alerts@example.com&to={to}"

    @property
    def mails(self) -> list[EmailMessage]:
        return self.inbox.mails


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpReceiver(inbox, port)
    finally:
        controller.stop()


def plain_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    assert part is not None
    return str(part.get_content())
