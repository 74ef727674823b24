"""The alert outbox: channels, alerts written with the fault change, held-back and escalated faults."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts import rules
from fleet.alerts.models import Alert, AlertEvent, AlertStatus, NotificationChannel
from fleet.alerts.schemas import ChannelIn
from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import number_new_rows
from fleet.errors import Conflict, NotFound
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.faults.service import FaultChanges
from fleet.faults.wording import kind_label, severity_label
from fleet.language import Language, say
from fleet.maintenance.service import cameras_in_maintenance


def routing_of(channel: NotificationChannel) -> rules.Routing:
    """A channel's routing as the pure rules see it."""
    return rules.Routing(
        areas=frozenset(channel.areas or ()),
        sites=frozenset(channel.sites or ()),
        min_severity=channel.min_severity,
        fault_kinds=frozenset(channel.fault_kinds or ()),
        quiet_from=rules.parse_clock(channel.quiet_from),
        quiet_until=rules.parse_clock(channel.quiet_until),
    )


# --- Channels. -----------------------------------------------------------------------------------------------


async def create_channel(
    session: AsyncSession, *, actor: Actor, data: ChannelIn, service: str, cipher: CredentialCipher
) -> NotificationChannel:
    """Add a channel whose URL the delivery adapter has checked (``service``: the kind of service it names)."""
    if await session.scalar(select(NotificationChannel.id).where(NotificationChannel.name == data.name)) is not None:
        raise Conflict(f"a channel named {data.name} already exists")
    channel = NotificationChannel(
        **data.model_dump(exclude={"url"}), url_ciphertext=cipher.encrypt({"url": data.url}), service=service
    )
    session.add(channel)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="channel.create",
        target_type="notification_channel",
        target_id=channel.id,
        after={**data.model_dump(exclude={"url"}), "service": service},
    )
    return channel


async def list_channels(session: AsyncSession) -> Sequence[NotificationChannel]:
    """Every channel, by name."""
    return (await session.scalars(select(NotificationChannel).order_by(NotificationChannel.name))).all()


async def get_channel(session: AsyncSession, channel_id: int) -> NotificationChannel:
    """One channel; NotFound otherwise."""
    channel = await session.get(NotificationChannel, channel_id)
    if channel is None:
        raise NotFound("notification channel", channel_id)
    return channel


async def delete_channel(session: AsyncSession, *, actor: Actor, channel_id: int) -> None:
    """Remove a channel (and its undelivered alerts)."""
    channel = await get_channel(session, channel_id)
    await record(
        session,
        actor=actor,
        action="channel.delete",
        target_type="notification_channel",
        target_id=channel_id,
        before={"name": channel.name, "service": channel.service},
    )
    await session.delete(channel)
    await session.flush()


def channel_url(channel: NotificationChannel, cipher: CredentialCipher) -> str:
    """The decrypted Apprise URL, for delivery only."""
    url: str = cipher.decrypt(channel.url_ciphertext)["url"]
    return url


# --- Writing alerts. -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subject:
    """What an alert is about."""

    event: AlertEvent
    severity: Severity
    subject: str
    body: str
    fault: Fault | None = None
    camera: Camera | None = None


def _add(
    session: AsyncSession, channel: NotificationChannel, item: Subject, *, now: datetime, settings: Settings
) -> Alert:
    when = rules.release_at(
        routing_of(channel), event=item.event, severity=item.severity, at=now, group_window=settings.alerts.group_window
    )
    alert = Alert(
        key=str(uuid.uuid4()),
        channel_id=channel.id,
        event=item.event,
        fault_id=item.fault.id if item.fault is not None else None,
        camera_id=item.camera.id if item.camera is not None else None,
        severity=item.severity,
        subject=item.subject[:500],
        body=item.body,
        created_at=now,
        not_before=when,
        next_attempt_at=when,
    )
    session.add(alert)
    return alert


async def enqueue(session: AsyncSession, items: Iterable[Subject], *, now: datetime, settings: Settings) -> list[Alert]:
    """Write an alert for every enabled channel whose routing wants each item (all in one flush)."""
    items = list(items)
    if not items:
        return []
    channels = (await session.scalars(select(NotificationChannel).where(NotificationChannel.enabled))).all()
    written = []
    for item in items:
        for channel in channels:
            camera = item.camera
            if rules.routes(
                routing_of(channel),
                area=camera.area if camera is not None else None,
                site=camera.site if camera is not None else None,
                kind=item.fault.kind.value if item.fault is not None else None,
                severity=item.severity,
            ):
                written.append(_add(session, channel, item, now=now, settings=settings))
    await number_new_rows(session, written)
    await session.flush()
    return written


def _about_fault(
    event: AlertEvent, fault: Fault, camera: Camera | None, language: Language, *, recovered_after: int | None = None
) -> Subject:
    """A fault's alert: the camera and the kind of fault in words as the subject; the fault register's summary (the
    values measured), the camera's place, severity and since when in the body."""
    who = camera.name if camera is not None else fault.scope
    subject = f"{who}: {kind_label(fault.kind, language)}" if who else kind_label(fault.kind, language)
    if recovered_after is not None:
        subject = say("{subject} — recovered after {minutes} min", language, subject=subject, minutes=recovered_after)
    lines = [fault.summary]
    if camera is not None:
        where = ", ".join(x for x in (camera.location, camera.area) if x)
        lines.append(f"{camera.name} ({camera.host}){': ' + where if where else ''}")
    if fault.kind is FaultKind.GROUP_OUTAGE:
        lines.append(say("Cameras: {names}", language, names=", ".join(fault.details.get("cameras", []))))
    if behind := fault.details.get("behind"):
        # A root cause in the network tree: the devices it took down (fleet/faults/causes.py).
        lines.append(say("Down behind it ({count}): {names}", language, count=len(behind), names=", ".join(behind)))
    severity = severity_label(fault.severity, language)
    lines.append(
        say("Severity: {severity}; since {since}", language, severity=severity, since=rules.local_time(fault.opened_at))
    )
    return Subject(event, fault.severity, subject, "\n".join(lines), fault, camera)


async def on_fault_changes(
    session: AsyncSession, changes: FaultChanges, *, now: datetime, settings: Settings
) -> list[Alert]:
    """Alerts for faults that opened or closed in this transaction (the outbox rule: same transaction).

    A fault explained by a group fault gets none of its own; a camera in maintenance is held back until its
    window ends (the sweep sends it then, if the fault is still open); a recovery is announced only where the
    fault itself was.
    """
    ids = {f.camera_id for f in [*changes.opened, *changes.closed] if f.camera_id is not None}
    cameras = {c.id: c for c in await session.scalars(select(Camera).where(Camera.id.in_(ids)))} if ids else {}
    held = await cameras_in_maintenance(session, now, sorted(ids)) if ids else set()
    items: list[Subject] = []
    for fault in changes.opened:
        if fault.suppressed_by_id is not None or (fault.camera_id in held):
            continue
        fault.alerted_at = now
        camera = cameras.get(fault.camera_id) if fault.camera_id is not None else None
        items.append(_about_fault(AlertEvent.FAULT_OPENED, fault, camera, settings.alerts.language))
    written = await enqueue(session, items, now=now, settings=settings)
    if changes.suppressed:
        # Announced a moment ago but not yet sent (the grouping window holds them): the cause says it all. What was
        # sent stays sent, and its recovery goes out when the fault closes.
        await session.execute(
            delete(Alert).where(
                Alert.fault_id.in_([f.id for f in changes.suppressed]), Alert.status == AlertStatus.PENDING
            )
        )
        await _restate(session, {f.suppressed_by_id for f in changes.suppressed}, settings.alerts.language)
    written += await _recoveries(
        session, [f for f in changes.closed if f.alerted_at is not None], cameras, now, settings
    )
    return written


async def _restate(session: AsyncSession, fault_ids: Iterable[int | None], language: Language) -> None:
    """Write again the not yet sent announcements of these faults (causes that now explain more faults), so that
    they name everything behind them when they go out."""
    ids = sorted({i for i in fault_ids if i is not None})
    pending = (
        await session.scalars(
            select(Alert).where(
                Alert.fault_id.in_(ids), Alert.event == AlertEvent.FAULT_OPENED, Alert.status == AlertStatus.PENDING
            )
        )
    ).all()
    if not pending:
        return
    announced = sorted({a.fault_id for a in pending if a.fault_id is not None})
    faults = {f.id: f for f in await session.scalars(select(Fault).where(Fault.id.in_(announced)))}
    camera_ids = sorted({f.camera_id for f in faults.values() if f.camera_id is not None})
    cameras = (
        {c.id: c for c in await session.scalars(select(Camera).where(Camera.id.in_(camera_ids)))} if camera_ids else {}
    )
    for alert in pending:
        fault = faults.get(alert.fault_id) if alert.fault_id is not None else None
        if fault is not None:
            camera = cameras.get(fault.camera_id) if fault.camera_id is not None else None
            alert.body = _about_fault(AlertEvent.FAULT_OPENED, fault, camera, language).body


async def _recoveries(
    session: AsyncSession, faults: Sequence[Fault], cameras: dict[int, Camera], now: datetime, settings: Settings
) -> list[Alert]:
    """Recovery alerts on the channels each fault's opening was announced on: one query for all the faults."""
    if not faults:
        return []
    pairs = (
        await session.execute(
            select(Alert.fault_id, Alert.channel_id)
            .where(Alert.fault_id.in_([f.id for f in faults]), Alert.event == AlertEvent.FAULT_OPENED)
            .distinct()
        )
    ).all()
    ids = {channel_id for _fault_id, channel_id in pairs}
    channels = (
        {c.id: c for c in await session.scalars(select(NotificationChannel).where(NotificationChannel.id.in_(ids)))}
        if ids
        else {}
    )
    told: dict[int, list[NotificationChannel]] = {f.id: [] for f in faults}
    for fault_id, channel_id in sorted(pairs, key=lambda pair: (pair[0] or 0, pair[1])):
        if fault_id is not None and channel_id in channels:
            told[fault_id].append(channels[channel_id])
    written = []
    for fault in faults:
        camera = cameras.get(fault.camera_id) if fault.camera_id is not None else None
        minutes = round((fault.duration_s or 0) / 60)
        item = _about_fault(AlertEvent.FAULT_CLOSED, fault, camera, settings.alerts.language, recovered_after=minutes)
        for channel in told[fault.id]:
            written.append(_add(session, channel, item, now=now, settings=settings))
    await number_new_rows(session, written)
    await session.flush()
    return written


async def sweep(session: AsyncSession, *, now: datetime, settings: Settings) -> list[Alert]:
    """Send what was held back (maintenance is over, fault still open) and escalate unacknowledged faults."""
    open_faults = (
        await session.scalars(
            select(Fault).where(
                Fault.closed_at.is_(None),
                Fault.suppressed_by_id.is_(None),
                or_(
                    Fault.alerted_at.is_(None),
                    (Fault.escalated_at.is_(None)) & (Fault.acknowledged_at.is_(None)),
                ),
            )
        )
    ).all()
    if not open_faults:
        return []
    ids = sorted({f.camera_id for f in open_faults if f.camera_id is not None})
    cameras = {c.id: c for c in await session.scalars(select(Camera).where(Camera.id.in_(ids)))}
    held = await cameras_in_maintenance(session, now, ids)
    items = []
    for fault in open_faults:
        camera = cameras.get(fault.camera_id) if fault.camera_id is not None else None
        if fault.alerted_at is None:
            if fault.camera_id in held:
                continue
            fault.alerted_at = now
            items.append(_about_fault(AlertEvent.FAULT_OPENED, fault, camera, settings.alerts.language))
        elif fault.acknowledged_at is None and now - fault.alerted_at >= settings.alerts.escalate_after:
            # Counted from the first alert: time held back by maintenance is nobody's delay.
            fault.escalated_at = now
            items.append(_about_fault(AlertEvent.FAULT_ESCALATED, fault, camera, settings.alerts.language))
    return await enqueue(session, items, now=now, settings=settings)


async def list_alerts(
    session: AsyncSession, *, page: int, size: int, status: AlertStatus | None = None, fault_id: int | None = None
) -> tuple[Sequence[Alert], int]:
    """The outbox, newest first."""
    query = select(Alert)
    if status is not None:
        query = query.where(Alert.status == status)
    if fault_id is not None:
        query = query.where(Alert.fault_id == fault_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(Alert.id.desc()).offset((page - 1) * size).limit(size))
    return rows.all(), int(total or 0)
