"""ONVIF events over a PullPoint: create a subscription, pull its messages, renew it (lean SOAP POSTs).

Why not onvif-zeep-async here: PullMessages is asked every few seconds of every camera, all day, and a flooding
camera answers a hundred messages a time; zeep's schema-driven parse costs tens of milliseconds per answer where
lxml on the few elements we need costs well under one. The requests follow the events WSDL that onvif-zeep-async
ships (the simulator's answers are checked against it with that library in the tests).

Never Unsubscribe: some firmwares cancel every client's subscription when one unsubscribes (the NVR's, the
VMS's). A subscription we no longer want simply lapses at its termination time.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from lxml import etree

from collectors.base import Target
from collectors.errors import BadResponse, Timeout, Unsupported
from collectors.safe_xml import soap_body
from collectors.soap import fault_from_element, security_header, xml_text
from collectors.soap_post import post

_TEV = "http://www.onvif.org/ver10/events/wsdl"
_WSNT = "http://docs.oasis-open.org/wsn/b-2"
_TOPICS = "http://www.onvif.org/ver10/topics"
_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>{security}<a:Action s:mustUnderstand="1">{action}'
    '</a:Action><a:To s:mustUnderstand="1">{to}</a:To></s:Header><s:Body>{body}</s:Body></s:Envelope>'
)
_GET_CAPABILITIES = (
    '<GetCapabilities xmlns="http://www.onvif.org/ver10/device/wsdl"><Category>Events</Category></GetCapabilities>'
)
_TRUE = frozenset({"true", "1", "active", "on"})
_FALSE = frozenset({"false", "0", "inactive", "off"})
_MAX_TOPIC = 200
_MAX_SOURCE = 100
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


class PullRefused(BadResponse):
    """The camera refused a pull's Timeout as longer than it supports (the events WSDL's PullMessagesFaultResponse);
    ``longest`` is the MaxTimeout it named, when it named one that reads."""

    def __init__(self, longest: timedelta | None) -> None:
        named = f"at most {int(longest.total_seconds())} s" if longest is not None else "no maximum named"
        super().__init__(f"the camera refused the pull's Timeout ({named})")
        self.longest = longest


@dataclass(frozen=True, slots=True)
class Notification:
    """One event as the camera sent it: its topic (``tns1:…`` for ONVIF's topics), the first source value, the
    first data item as a state (None when it is not a yes/no), and the camera's own time for it."""

    topic: str
    source: str | None
    state: bool | None
    device_time: datetime | None


@dataclass(frozen=True, slots=True)
class PullPoint:
    """A subscription: where to pull it (a path on the camera) and how long the camera granted it."""

    path: str
    granted: timedelta


@dataclass(frozen=True, slots=True)
class Pulled:
    """The messages of one pull, and how long the subscription has left by the camera's own times."""

    notifications: tuple[Notification, ...]
    left: timedelta | None


def _remaining(answer: etree._Element) -> timedelta | None:
    """TerminationTime minus CurrentTime, both on the camera's clock: a skewed clock cancels out."""
    current = answer.findtext("{*}CurrentTime")
    termination = answer.findtext("{*}TerminationTime")
    if not current or not termination:
        return None
    try:
        return _moment(termination) - _moment(current)
    except ValueError:
        raise BadResponse("subscription times are not valid dates") from None


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))


def _bool(text: str | None) -> bool | None:
    value = (text or "").strip().lower()
    return True if value in _TRUE else False if value in _FALSE else None


def _topic(element: etree._Element) -> str:
    text = (element.text or "").strip()
    prefix, sep, rest = text.partition(":")
    if sep and element.nsmap.get(prefix) == _TOPICS:
        text = f"tns1:{rest}"
    if not text or len(text) > _MAX_TOPIC or not text.isprintable():
        raise BadResponse("event topic is empty, too long or not printable")
    return text


def _notification(message: etree._Element) -> Notification:
    topic_element = message.find(f"{{{_WSNT}}}Topic")
    if topic_element is None:
        raise BadResponse("event message has no topic")
    body = message.find(f"{{{_WSNT}}}Message/{{*}}Message")
    source = data = None
    when: datetime | None = None
    if body is not None:
        source_item = body.find("{*}Source/{*}SimpleItem")
        data_item = body.find("{*}Data/{*}SimpleItem")
        source = source_item.get("Value") if source_item is not None else None
        data = data_item.get("Value") if data_item is not None else None
        try:
            when = _moment(body.get("UtcTime", ""))
        except ValueError:
            when = None
    if source is not None and (len(source) > _MAX_SOURCE or not source.isprintable()):
        source = None
    return Notification(_topic(topic_element), source, _bool(data), when)


class PullPointClient:
    """The PullPoint calls, signed with the camera's credentials, each under a time limit."""

    def __init__(self, max_body_bytes: int, device_timeout: timedelta) -> None:
        self._max_body_bytes = max_body_bytes
        self._timeout = device_timeout.total_seconds()

    async def events_path(self, target: Target) -> str:
        """Where the camera's events service is (a path on its ONVIF port); Unsupported without a PullPoint."""
        answer = await self._call(target, "/onvif/device_service", "GetCapabilities", _GET_CAPABILITIES)
        events = answer.find("{*}Capabilities/{*}Events")
        if events is None or _bool(events.findtext("{*}WSPullPointSupport")) is False:
            raise Unsupported("the camera offers no ONVIF PullPoint events")
        return _path(events.findtext("{*}XAddr"))

    async def subscribe(self, target: Target, events_path: str, asked: timedelta) -> PullPoint:
        """CreatePullPointSubscription for ``asked``; the camera's answer says what it granted."""
        body = (
            f'<CreatePullPointSubscription xmlns="{_TEV}"><InitialTerminationTime>PT{int(asked.total_seconds())}S'
            "</InitialTerminationTime></CreatePullPointSubscription>"
        )
        answer = await self._call(target, events_path, "PullPointSubscription/CreatePullPointSubscriptionRequest", body)
        path = _path(answer.findtext("{*}SubscriptionReference/{*}Address"))
        granted = _remaining(answer)
        return PullPoint(path, granted if granted is not None and granted > timedelta(0) else asked)

    async def pull(self, target: Target, point: PullPoint, wait: timedelta, limit: int) -> Pulled:
        """PullMessages: held by the camera for up to ``wait`` until messages come; at most ``limit`` of them."""
        body = (
            f'<PullMessages xmlns="{_TEV}"><Timeout>PT{max(0, int(wait.total_seconds()))}S</Timeout>'
            f"<MessageLimit>{limit}</MessageLimit></PullMessages>"
        )
        answer = await self._call(
            target, point.path, "PullPointSubscription/PullMessagesRequest", body, extra=wait.total_seconds()
        )
        messages = answer.findall(f"{{{_WSNT}}}NotificationMessage")[:limit]
        return Pulled(tuple(_notification(m) for m in messages), _remaining(answer))

    async def renew(self, target: Target, point: PullPoint, asked: timedelta) -> timedelta:
        """Renew for ``asked``; what the camera granted this time."""
        body = f'<Renew xmlns="{_WSNT}"><TerminationTime>PT{int(asked.total_seconds())}S</TerminationTime></Renew>'
        answer = await self._call(target, point.path, "SubscriptionManager/RenewRequest", body)
        granted = _remaining(answer)
        return granted if granted is not None and granted > timedelta(0) else asked

    async def _call(self, target: Target, path: str, action: str, body: str, *, extra: float = 0.0) -> etree._Element:
        security = (
            security_header(target.username, target.password)
            if target.username is not None and target.password is not None
            else ""
        )
        authority = f"{target.host}:{target.onvif_port}"
        action_uri = action if action.startswith("Get") else f"{_TEV}/{action}"
        envelope = _ENVELOPE.format(
            security=security, action=xml_text(action_uri), to=xml_text(f"http://{authority}{path}"), body=body
        )
        headers = {"Content-Type": "application/soap+xml; charset=utf-8", "Accept-Encoding": "identity"}
        try:
            async with asyncio.timeout(self._timeout + extra):
                answer = await post(
                    target.host, target.onvif_port, path, headers, envelope.encode(), self._max_body_bytes
                )
        except TimeoutError:
            raise Timeout(f"no answer to {action.rsplit('/', 1)[-1]} in time") from None
        element = soap_body(answer.body)
        if etree.QName(element).localname == "Fault":
            limits = element.find(f".//{{{_TEV}}}PullMessagesFaultResponse")
            if limits is not None:
                raise PullRefused(_duration(limits.findtext(f"{{{_TEV}}}MaxTimeout")))
            raise fault_from_element(element)
        if answer.status != 200:
            raise BadResponse(f"HTTP {answer.status} without a SOAP fault")
        return element


def _duration(text: str | None) -> timedelta | None:
    """An xs:duration of hours, minutes and seconds (PT1M, PT20S), or None when it is not one."""
    match = _DURATION.match((text or "").strip())
    if match is None or not any(match.groups()):
        return None
    hours, minutes, seconds = match.groups()
    return timedelta(hours=int(hours or 0), minutes=int(minutes or 0), seconds=float(seconds or 0))


def _path(address: str | None) -> str:
    """The path (and query) of an address the camera gave: it is always asked at the host and port we know, so a
    camera cannot send us elsewhere (or to its own NATed address)."""
    if not address or not address.strip():
        raise BadResponse("the camera gave no address")
    parts = urlsplit(address.strip())
    if not parts.path.startswith("/"):
        raise BadResponse("the camera gave an address without a path")
    return parts.path + (f"?{parts.query}" if parts.query else "")
