"""The ONVIF events service: PullPoint subscriptions (CreatePullPointSubscription, PullMessages, Renew,
Unsubscribe, GetEventProperties) with the quirks real firmwares show.

Quirks (settable at run time, see simulator/camera.py): ``event_termination_scale`` grants a subscription that
many times the time asked (1/60: a firmware that reads minutes as seconds); ``events_cancel_all``: one client's
Unsubscribe cancels every subscription; ``events_pull_hangs``: PullMessages never answers; ``events_pull_cap_s``:
an empty pull is held no longer than that (0: answered at once, whatever Timeout was asked); ``events_pull_max_s``:
a longer Timeout is refused with a PullMessagesFaultResponse naming the longest; ``events_subscribe_delay_s``:
CreatePullPointSubscription is answered that much later (a slow or busy camera); ``clock_offset_s``:
every time in the answers is on the camera's skewed clock; ``event_flood``: that many events a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

NS_TEV = "http://www.onvif.org/ver10/events/wsdl"
NS_WSNT = "http://docs.oasis-open.org/wsn/b-2"
NS_WSA = "http://www.w3.org/2005/08/addressing"
NS_TNS1 = "http://www.onvif.org/ver10/topics"
NS_WSTOP = "http://docs.oasis-open.org/wsn/t-1"
EVENTS_PATH = "/onvif/event_service"
PULLPOINT_PATH = "/onvif/pullpoint/"
_DIALECT = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
# What a camera grants when asked for nothing, and the most it grants (real firmwares cap subscriptions).
_DEFAULT_TERMINATION_S = 60.0
_MAX_TERMINATION_S = 3600.0
_MAX_MESSAGE_LIMIT = 1024
# Messages a subscription keeps for its client; older ones are dropped (a camera's buffer is small).
QUEUE_LENGTH = 1000
MAX_SUBSCRIPTIONS = 10


class Topic(StrEnum):
    """The event topics this camera raises (ONVIF Core and Imaging topic names)."""

    GLOBAL_SCENE_CHANGE = "tns1:VideoSource/GlobalSceneChange/ImagingService"
    IMAGE_TOO_DARK = "tns1:VideoSource/ImageTooDark/ImagingService"
    IMAGE_TOO_BLURRY = "tns1:VideoSource/ImageTooBlurry/ImagingService"
    SIGNAL_LOSS = "tns1:VideoSource/SignalLoss"
    STORAGE_FAILURE = "tns1:Device/HardwareFailure/StorageFailure"
    FAN_FAILURE = "tns1:Device/HardwareFailure/FanFailure"
    TEMPERATURE_CRITICAL = "tns1:Device/HardwareFailure/TemperatureCritical"
    DIGITAL_INPUT = "tns1:Device/Trigger/DigitalInput"
    MOTION = "tns1:RuleEngine/CellMotionDetector/Motion"


# Per topic: the name of its source item and of its data item.
_ITEMS: dict[Topic, tuple[str, str]] = {
    Topic.GLOBAL_SCENE_CHANGE: ("Source", "State"),
    Topic.IMAGE_TOO_DARK: ("Source", "State"),
    Topic.IMAGE_TOO_BLURRY: ("Source", "State"),
    Topic.SIGNAL_LOSS: ("Source", "State"),
    Topic.STORAGE_FAILURE: ("Token", "Failed"),
    Topic.FAN_FAILURE: ("Token", "Failed"),
    Topic.TEMPERATURE_CRITICAL: ("Token", "Critical"),
    Topic.DIGITAL_INPUT: ("InputToken", "LogicalState"),
    Topic.MOTION: ("VideoSourceConfigurationToken", "IsMotion"),
}
_DEFAULT_SOURCE = {Topic.DIGITAL_INPUT: "DI_0", Topic.STORAGE_FAILURE: "SD_DISK", Topic.FAN_FAILURE: "FAN_0"}


class EventFault(Exception):
    """A SOAP fault the events service answers with."""

    def __init__(self, status: int, subcode: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.subcode, self.reason = status, subcode, reason


@dataclass(frozen=True, slots=True)
class Event:
    """One notification: topic, source value, state, and when (POSIX seconds on the camera's clock)."""

    topic: Topic
    source: str
    state: bool
    at: float

    def xml(self) -> str:
        """The wsnt:NotificationMessage element."""
        source_name, data_name = _ITEMS[self.topic]
        moment = _iso(self.at)
        return (
            f'<wsnt:NotificationMessage><wsnt:Topic Dialect="{_DIALECT}">{self.topic.value}</wsnt:Topic>'
            f'<wsnt:Message><tt:Message UtcTime="{moment}" PropertyOperation="Changed"><tt:Source>'
            f"<tt:SimpleItem Name={quoteattr(source_name)} Value={quoteattr(self.source)}/></tt:Source><tt:Data>"
            f'<tt:SimpleItem Name="{data_name}" Value="{str(self.state).lower()}"/></tt:Data></tt:Message>'
            "</wsnt:Message></wsnt:NotificationMessage>"
        )


def event(topic: Topic, state: bool, at: float, source: str | None = None) -> Event:
    """An event of ``topic`` with its usual source token unless one is given."""
    return Event(topic, source or _DEFAULT_SOURCE.get(topic, "VideoSource_1"), state, at)


@dataclass(slots=True)
class Subscription:
    """One client's pull point: its buffered messages and when it ends (monotonic seconds)."""

    ident: int
    ends_at: float
    queue: deque[Event] = field(default_factory=lambda: deque(maxlen=QUEUE_LENGTH))
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: int = 0

    def put(self, item: Event) -> None:
        if len(self.queue) == QUEUE_LENGTH:
            self.dropped += 1
        self.queue.append(item)
        self.arrived.set()


@dataclass(slots=True)
class InFlight:
    """Requests being answered now and the most at once (a fleet shares one: what a client had in flight)."""

    now: int = 0
    most: int = 0

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """One request for the block."""
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            yield
        finally:
            self.now -= 1

    def reset(self) -> None:
        """The most at once counted from now."""
        self.most = self.now


@dataclass(slots=True)
class EventBroker:
    """A camera's subscriptions and what it has raised; counters for the tests."""

    subscriptions: dict[int, Subscription] = field(default_factory=dict)
    raised: int = 0
    created: int = 0
    renewed: int = 0
    unsubscribed: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def publish(self, item: Event) -> None:
        """Queue ``item`` for every live subscription."""
        self.raised += 1
        now = time.monotonic()
        for subscription in self.live(now):
            subscription.put(item)

    def live(self, now: float) -> list[Subscription]:
        """Live subscriptions; expired ones are forgotten."""
        for ident in [i for i, s in self.subscriptions.items() if s.ends_at <= now]:
            del self.subscriptions[ident]
        return list(self.subscriptions.values())

    def subscribe(self, seconds: float) -> Subscription:
        """A new pull point lasting ``seconds``."""
        now = time.monotonic()
        if len(self.live(now)) >= MAX_SUBSCRIPTIONS:
            raise EventFault(500, "ter:TooManySubscriptions", "Maximum number of subscriptions reached")
        subscription = Subscription(next(self._ids), now + seconds)
        self.subscriptions[subscription.ident] = subscription
        self.created += 1
        return subscription

    def find(self, ident: int) -> Subscription:
        """The live subscription ``ident``, or the fault a camera answers for an unknown one."""
        subscription = self.subscriptions.get(ident)
        if subscription is None or subscription.ends_at <= time.monotonic():
            self.subscriptions.pop(ident, None)
            raise EventFault(400, "ter:InvalidArgVal", "Unknown or expired subscription")
        return subscription

    def drop_all(self) -> None:
        """Forget every subscription (a reboot, or a firmware that cancels them all)."""
        for subscription in self.subscriptions.values():
            subscription.arrived.set()
        self.subscriptions.clear()

    def as_dict(self) -> dict[str, int]:
        """JSON-ready counters."""
        return {
            "subscriptions": len(self.live(time.monotonic())),
            "raised": self.raised,
            "created": self.created,
            "renewed": self.renewed,
            "unsubscribed": self.unsubscribed,
        }


def _iso(posix: float) -> str:
    return datetime.fromtimestamp(posix, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def requested_seconds(text: str, device_now: float) -> float:
    """A wsnt termination time as seconds from now: an xs:duration (PT60S) or an absolute time on the camera's
    clock; empty means the camera's default."""
    text = text.strip()
    if not text:
        return _DEFAULT_TERMINATION_S
    match = _DURATION.match(text)
    if match is not None and any(match.groups()):
        days, hours, minutes, seconds = match.groups()
        return int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EventFault(400, "ter:InvalidArgVal", "Invalid termination time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() - device_now


def granted_seconds(asked: float, scale: float) -> float:
    """What the camera grants: the ask within its limits, times its unit quirk."""
    if asked <= 0:
        raise EventFault(400, "ter:InvalidArgVal", "Termination time is in the past")
    return min(asked, _MAX_TERMINATION_S) * scale


def times(device_now: float, subscription: Subscription, *, termination_first: bool = False) -> str:
    """CurrentTime and TerminationTime elements on the camera's clock, in the order the answer's schema wants
    (RenewResponse has TerminationTime first)."""
    ends = device_now + max(0.0, subscription.ends_at - time.monotonic())
    current = f"<wsnt:CurrentTime>{_iso(device_now)}</wsnt:CurrentTime>"
    termination = f"<wsnt:TerminationTime>{_iso(ends)}</wsnt:TerminationTime>"
    return termination + current if termination_first else current + termination


def subscription_reference(http: str, subscription: Subscription) -> str:
    """The SubscriptionReference of a new pull point."""
    address = escape(f"{http}{PULLPOINT_PATH}{subscription.ident}")
    return f"<tev:SubscriptionReference><wsa:Address>{address}</wsa:Address></tev:SubscriptionReference>"


def pull_answer(device_now: float, subscription: Subscription, limit: int) -> str:
    """A PullMessagesResponse with up to ``limit`` queued messages."""
    count = min(max(limit, 1), _MAX_MESSAGE_LIMIT, len(subscription.queue))
    messages = "".join(subscription.queue.popleft().xml() for _ in range(count))
    if not subscription.queue:
        subscription.arrived.clear()
    ends = device_now + max(0.0, subscription.ends_at - time.monotonic())
    return (
        f"<tev:PullMessagesResponse><tev:CurrentTime>{_iso(device_now)}</tev:CurrentTime>"
        f"<tev:TerminationTime>{_iso(ends)}</tev:TerminationTime>{messages}</tev:PullMessagesResponse>"
    )


async def wait_for_messages(subscription: Subscription, timeout_text: str, cap_s: float) -> None:
    """Hold a PullMessages until a message is queued or its Timeout, at most ``cap_s``, passes (a long poll)."""
    wait = min(requested_seconds(timeout_text, 0.0) if timeout_text else 0.0, cap_s)
    if subscription.queue or wait <= 0:
        return
    try:
        await asyncio.wait_for(subscription.arrived.wait(), wait)
    except TimeoutError:
        return


def _topic_tree() -> str:
    tree: dict[str, dict[str, dict[str, None]]] = {}
    for topic in Topic:
        parts = topic.value.removeprefix("tns1:").split("/")
        level = tree.setdefault(parts[0], {}).setdefault(parts[1], {})
        if len(parts) > 2:
            level[parts[2]] = None
    xml = []
    for root, children in tree.items():
        inner = []
        for child, grandchildren in children.items():
            leaves = "".join(f'<{leaf} wstop:topic="true"/>' for leaf in grandchildren)
            inner.append(f"<{child}>{leaves}</{child}>" if leaves else f'<{child} wstop:topic="true"/>')
        xml.append(f"<tns1:{root}>{''.join(inner)}</tns1:{root}>")
    return "".join(xml)


def event_properties() -> str:
    """The GetEventPropertiesResponse: the fixed topic set this camera raises."""
    return (
        "<tev:GetEventPropertiesResponse><tev:TopicNamespaceLocation>"
        "http://www.onvif.org/onvif/ver10/topics/topicns.xml</tev:TopicNamespaceLocation>"
        f"<wsnt:FixedTopicSet>true</wsnt:FixedTopicSet><wstop:TopicSet>{_topic_tree()}</wstop:TopicSet>"
        f"<wsnt:TopicExpressionDialect>{_DIALECT}</wsnt:TopicExpressionDialect>"
        "<tev:MessageContentFilterDialect>http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
        "</tev:MessageContentFilterDialect><tev:MessageContentSchemaLocation>"
        "http://www.onvif.org/onvif/ver10/schema/onvif.xsd</tev:MessageContentSchemaLocation>"
        "</tev:GetEventPropertiesResponse>"
    )


def child_text(request: etree._Element, local: str) -> str:
    """The text of the request's first child element named ``local`` (any namespace)."""
    found = request.find(f"{{*}}{local}")
    return (found.text or "").strip() if found is not None else ""


def state_events(before: Mapping[str, object], after: Mapping[str, object], at: float) -> list[Event]:
    """The events a change of the camera's condition raises (the image, the stream, the storage)."""
    raised = []
    image_topics = {"moved": Topic.GLOBAL_SCENE_CHANGE, "covered": Topic.IMAGE_TOO_DARK, "black": Topic.IMAGE_TOO_DARK}
    image_topics["blurred"] = Topic.IMAGE_TOO_BLURRY
    old, new = image_topics.get(str(before.get("image"))), image_topics.get(str(after.get("image")))
    if old is not new:
        if old is not None:
            raised.append(event(old, False, at))
        if new is not None:
            raised.append(event(new, True, at))
    for name, topic in (("rtsp_down", Topic.SIGNAL_LOSS), ("storage_failed", Topic.STORAGE_FAILURE)):
        if name in after and bool(after[name]) != bool(before.get(name)):
            raised.append(event(topic, bool(after[name]), at))
    return raised
