"""The PullPoint client against the simulator (127.121.2.x) and against answers no camera should give."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from aiohttp import web

from collectors.base import Target
from collectors.errors import AuthFailed, BadResponse, Timeout, Unsupported
from collectors.events import PullPoint, PullPointClient, PullRefused
from simulator.events import Topic
from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec
from tests.peers.receivers import free_port

HOST, PORT, PASSWORD = "127.121.2.1", 8080, "pull-Point-9"
TARGET = Target(1, "PP-1", HOST, PORT, 8554, 1161, "admin", PASSWORD)
CLIENT = PullPointClient(1024 * 1024, timedelta(seconds=5))


@pytest_asyncio.fixture
async def fleet() -> AsyncIterator[SimulatedFleet]:
    spec = CameraSpec(
        name="PP-1", host=HOST, onvif_port=PORT, rtsp_port=8554, snmp_port=1161, username="admin", password=PASSWORD
    )
    async with SimulatedFleet([spec], snapshot_size=(64, 36)) as running:
        yield running


async def test_subscribe_pull_and_renew(fleet: SimulatedFleet) -> None:
    path = await CLIENT.events_path(TARGET)
    point = await CLIENT.subscribe(TARGET, path, timedelta(minutes=10))
    # What the camera says is left (TerminationTime − CurrentTime, to the millisecond): the ask, less the moment the
    # answer took.
    assert point.path.startswith("/onvif/pullpoint/")
    assert timedelta(minutes=10) - timedelta(seconds=1) <= point.granted <= timedelta(minutes=10)
    camera = fleet.camera("PP-1")
    camera.raise_event(Topic.DIGITAL_INPUT, True, "DI_0")
    await camera.update(image="moved")
    pulled = await CLIENT.pull(TARGET, point, timedelta(seconds=5), 10)
    assert [(n.topic, n.source, n.state) for n in pulled.notifications] == [
        (Topic.DIGITAL_INPUT.value, "DI_0", True),
        (Topic.GLOBAL_SCENE_CHANGE.value, "VideoSource_1", True),
    ]
    assert pulled.left is not None and timedelta(minutes=9) < pulled.left <= timedelta(minutes=10)
    renewed = await CLIENT.renew(TARGET, point, timedelta(minutes=5))
    assert timedelta(minutes=5) - timedelta(seconds=1) <= renewed <= timedelta(minutes=5)
    assert camera.device.events.renewed == 1 and camera.device.events.unsubscribed == 0


async def test_what_the_camera_granted_counts_whatever_its_clock_and_units(fleet: SimulatedFleet) -> None:
    # Minutes read as seconds, and a clock two hours off: the grant is read from the camera's own two times.
    await fleet.camera("PP-1").update(event_termination_scale=1 / 60, clock_offset_s=7200)
    point = await CLIENT.subscribe(TARGET, await CLIENT.events_path(TARGET), timedelta(minutes=10))
    assert timedelta(seconds=9) <= point.granted <= timedelta(seconds=10)


async def test_no_events_service_wrong_password_hanging_pull_and_lost_subscription(fleet: SimulatedFleet) -> None:
    camera = fleet.camera("PP-1")
    await camera.update(events=False)
    with pytest.raises(Unsupported):
        await CLIENT.events_path(TARGET)
    await camera.update(events=True)
    with pytest.raises(AuthFailed):
        await CLIENT.events_path(Target(1, "PP-1", HOST, PORT, 8554, 1161, "admin", "wrong"))
    point = await CLIENT.subscribe(TARGET, await CLIENT.events_path(TARGET), timedelta(minutes=1))
    await camera.update(events_pull_hangs=True)
    with pytest.raises(Timeout):
        await PullPointClient(1024 * 1024, timedelta(seconds=1)).pull(TARGET, point, timedelta(seconds=1), 1)
    await camera.update(events_pull_hangs=False)
    await camera.reboot()
    with pytest.raises(BadResponse):  # the camera forgot the subscription: a fault, the caller subscribes again
        await CLIENT.pull(TARGET, point, timedelta(seconds=0), 1)


async def test_a_timeout_longer_than_the_camera_supports_is_refused_with_its_maximum(fleet: SimulatedFleet) -> None:
    camera = fleet.camera("PP-1")
    await camera.update(events_pull_max_s=20)
    point = await CLIENT.subscribe(TARGET, await CLIENT.events_path(TARGET), timedelta(minutes=1))
    with pytest.raises(PullRefused) as refused:
        await CLIENT.pull(TARGET, point, timedelta(seconds=60), 10)
    assert refused.value.longest == timedelta(seconds=20)
    camera.raise_event(Topic.DIGITAL_INPUT, True)
    pulled = await CLIENT.pull(TARGET, point, timedelta(seconds=20), 10)  # what it supports, it answers
    assert [n.topic for n in pulled.notifications] == [Topic.DIGITAL_INPUT.value]


HOSTILE = {
    "/garbage": b"not xml at all",
    "/bomb": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&lol2;</s:Body></s:Envelope>'
    ),
    "/no-topic": (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><PullMessagesResponse '
        b'xmlns="http://www.onvif.org/ver10/events/wsdl"><n:NotificationMessage xmlns:n="http://docs.oasis-open.org/'
        b'wsn/b-2"><n:Message/></n:NotificationMessage></PullMessagesResponse></s:Body></s:Envelope>'
    ),
    "/long-topic": (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><PullMessagesResponse '
        b'xmlns="http://www.onvif.org/ver10/events/wsdl"><n:NotificationMessage xmlns:n="http://docs.oasis-open.org/'
        b'wsn/b-2"><n:Topic>' + b"x" * 5000 + b"</n:Topic></n:NotificationMessage></PullMessagesResponse>"
        b"</s:Body></s:Envelope>"
    ),
    "/huge": b"<a>" + b"x" * (2 * 1024 * 1024) + b"</a>",
}


async def test_hostile_answers_are_bad_responses() -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=HOSTILE[request.path], content_type="application/soap+xml")

    app = web.Application()
    for path in HOSTILE:
        app.router.add_post(path, answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        target = Target(2, "HOSTILE", "127.0.0.1", port, 554, 161)
        for path in HOSTILE:
            with pytest.raises(BadResponse):
                await CLIENT.pull(target, PullPoint(path, timedelta(seconds=60)), timedelta(0), 10)
    finally:
        await runner.cleanup()
