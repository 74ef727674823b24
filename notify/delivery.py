"""Apprise: checking a channel URL, and sending a message the alert domain composed, saying why if it failed."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from datetime import timedelta
from io import StringIO
from urllib.parse import unquote, urlsplit

import apprise

from fleet.alerts.outbox import Message
from fleet.errors import InvalidInput

# Apprise reports why a URL or a delivery failed only in its log; capture the warnings and errors.
_capture: Callable[..., ContextManager[StringIO]] = apprise.LogCapture
_LOG_LINE = re.compile(r"^\S+ \S+ - (?:WARNING|ERROR) - (.*)$")


# URL parts shorter than this are left in a reason (masking "x" would garble it); a token or password is longer.
_SHORTEST_SECRET = 4


def _parts(url: str) -> list[str]:
    """The URL and every part of it that may be a secret, longest first.

    Apprise names the part it cannot use ("An invalid Slack Token (…) was specified"), and a token with a typo is
    still most of the token, so every host, user, password, path segment and query value is masked, not only the
    password.
    """
    parts = {url}
    if "://" in url:
        split = urlsplit(url)
        pieces = [split.netloc, *re.split(r"[@:]", split.netloc), *split.path.split("/")]
        pieces += [value for pair in split.query.split("&") for value in pair.split("=")]
        parts.update(unquoted for piece in pieces for unquoted in (piece, unquote(piece)))
    return sorted((p for p in parts if len(p) >= _SHORTEST_SECRET), key=len, reverse=True)


def _reasons(log: str, secret: str) -> str:
    reasons = [m.group(1) for line in log.splitlines() if (m := _LOG_LINE.match(line))]
    text = "; ".join(dict.fromkeys(reasons)) or "the service did not accept the message"
    # Never echo the URL (it may hold a password or token) or any part of it.
    for value in _parts(secret):
        text = text.replace(value, "***")
    return text[:1000]


def validate_url(url: str) -> str:
    """The service name of a usable Apprise URL; InvalidInput naming the problem otherwise."""
    if "://" not in url:
        raise InvalidInput("url", "an Apprise URL looks like mailto://…, json://…, slack://… or msteams://…")
    with _capture(level=apprise.logging.WARNING) as log:
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        raise InvalidInput("url", _reasons(log.getvalue(), url))
    return url.split("://", 1)[0].lower()


async def deliver(message: Message, *, timeout: timedelta) -> str | None:
    """Send one message; None on success, else why it failed (without secrets)."""
    if message.url is None:
        return message.problem
    notifier = apprise.Apprise()
    if not notifier.add(message.url):
        return "the channel URL is no longer valid"
    seconds = timeout.total_seconds()
    with _capture(level=apprise.logging.WARNING) as log:
        try:
            async with asyncio.timeout(seconds):
                delivered = bool(await notifier.async_notify(title=message.title, body=message.body))
        except TimeoutError:
            return f"no answer from the service within {seconds:g} s"
    return None if delivered else _reasons(log.getvalue(), message.url)
