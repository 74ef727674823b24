"""Real alert receivers for tests: an SMTP server (aiosmtpd) and a webhook endpoint (aiohttp), on loopback."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Literal

from aiohttp import web
from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(r"(?:Bericht-id|Message id): ([0-9a-f-]{36}|test-\d+)")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    subject: str
    text: str

    @property
    def message_id(self) -> str | None:
        """camfleet's stable message id in the text."""
        found = MESSAGE_ID.search(self.text)
        return found.group(1) if found else None


def _text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8")
    return ""


class SmtpReceiver:
    """An SMTP server that keeps every message it is given."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mails: list[Mail] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        """An Apprise URL that sends here."""
        return f"mailto://127.0.0.1:{self.port}?from=camfleet@venlo.test&to=technici@venlo.test&mode=insecure"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), str(message["Subject"]), _text(message)))
        return "250 OK"

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()


@dataclass
class WebhookReceiver:
    """An HTTP endpoint for Apprise's json:// that records every post; it can fail or hang on purpose."""

    mode: Literal["ok", "error", "hang"] = "ok"
    posts: list[dict[str, Any]] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    _runner: web.AppRunner | None = None
    _hung: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        """An Apprise URL that posts here."""
        return f"json://127.0.0.1:{self.port}/camfleet"

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.posts.append(payload)
        if self.mode == "error":
            return web.Response(status=500, text="receiver broken on purpose")
        if self.mode == "hang":
            self._hung.set()
            await asyncio.sleep(3600)
        return web.json_response({"ok": True})

    async def wait_until_hanging(self, timeout: float) -> None:
        """Wait until a request is being held open."""
        await asyncio.wait_for(self._hung.wait(), timeout)

    def message_ids(self) -> list[str]:
        """The stable message ids of every post, in order."""
        return [m.group(1) for p in self.posts if (m := MESSAGE_ID.search(str(p.get("message", ""))))]

    async def __aenter__(self) -> WebhookReceiver:
        app = web.Application()
        app.router.add_post("/camfleet", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
