"""Notification channels (admins) and the alert outbox (technicians and up)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import Admin, CipherDep, PageDep, SessionDep, SettingsDep, Technician, actor_of
from fleet.alerts import outbox
from fleet.alerts import service as alerts
from fleet.alerts.models import AlertStatus
from fleet.alerts.schemas import AlertOut, ChannelIn, ChannelOut, TestResult
from fleet.audit.service import record
from fleet.db import RowId
from fleet.pagination import Page
from notify.delivery import deliver, validate_url

router = APIRouter(tags=["alerts"])


@router.get("/notification-channels", response_model=list[ChannelOut])
async def list_channels(session: SessionDep, _user: Technician) -> list[ChannelOut]:
    """Every channel with its routing; URLs are never shown."""
    return [ChannelOut.model_validate(c) for c in await alerts.list_channels(session)]


@router.post("/notification-channels", response_model=ChannelOut, status_code=status.HTTP_201_CREATED)
async def create_channel(session: SessionDep, admin: Admin, cipher: CipherDep, body: ChannelIn) -> ChannelOut:
    """Add a channel; an Apprise URL that Apprise cannot use is a 422 saying why."""
    service = validate_url(body.url)
    channel = await alerts.create_channel(session, actor=actor_of(admin), data=body, service=service, cipher=cipher)
    return ChannelOut.model_validate(channel)


@router.delete("/notification-channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_channel(session: SessionDep, admin: Admin, channel_id: RowId) -> Response:
    """Remove a channel."""
    await alerts.delete_channel(session, actor=actor_of(admin), channel_id=channel_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/notification-channels/{channel_id}/test", response_model=TestResult)
async def send_test(
    session: SessionDep, admin: Admin, cipher: CipherDep, settings: SettingsDep, channel_id: RowId
) -> TestResult:
    """Send a test message now and say whether the service took it."""
    channel = await alerts.get_channel(session, channel_id)
    message = outbox.test_message(channel, cipher, settings.alerts.language)
    await session.commit()  # no transaction stays open while the message is on its way
    error = await deliver(message, timeout=settings.alerts.send_timeout)
    await record(
        session,
        actor=actor_of(admin),
        action="channel.test",
        target_type="notification_channel",
        target_id=channel.id,
        after={"delivered": error is None, "error": error},
    )
    return TestResult(delivered=error is None, error=error)


@router.get("/alerts", response_model=Page[AlertOut])
async def list_alerts(
    session: SessionDep,
    _user: Technician,
    paging: PageDep,
    status_: Annotated[AlertStatus | None, Query(alias="status")] = None,
    fault_id: RowId | None = None,
) -> Page[AlertOut]:
    """The outbox, newest first: what was sent, what waits for a retry and why."""
    rows, total = await alerts.list_alerts(
        session, page=paging.page, size=paging.size, status=status_, fault_id=fault_id
    )
    return Page(items=[AlertOut.model_validate(a) for a in rows], total=total, page=paging.page, size=paging.size)
