"""The simulator's ONVIF events service read by onvif-zeep-async (its events WSDL): PullPoint and the quirks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import zeep.exceptions
from onvif import ONVIFCamera

from simulator.control import ControlServer
from simulator.events import MAX_SUBSCRIPTIONS, QUEUE_LENGTH, Topic
from simulator.fleet import SimulatedFleet
from tests.simulator.conftest import ONVIF, PASSWORD, USER


@pytest_asyncio.fixture
async def camera(fleet: SimulatedFleet) -> AsyncIterator[ONVIFCamera]:
    onvif_camera = ONVIFCamera("127.40.1.1", ONVIF, USER, PASSWORD, no_cache=True)
    await onvif_camera.update_xaddrs()
    yield onvif_camera
    await onvif_camera.close()


async def _subscribe(camera: ONVIFCamera, termination: str = "PT60S") -> tuple[Any, Any]:
    events = await camera.create_events_service()
    created = await events.CreatePullPointSubscription({"InitialTerminationTime": termination})
    address = created.SubscriptionReference.Address._value_1
    camera.xaddrs["http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"] = address
    pullpoint = await camera.create_pullpoint_service()
    return created, pullpoint


def _topics(answer: Any) -> list[str]:
    return [message.Topic._value_1 for message in answer.NotificationMessage]


async def test_a_pull_point_delivers_the_events_a_state_change_raises(
    fleet: SimulatedFleet, camera: ONVIFCamera
) -> None:
    created, pullpoint = await _subscribe(camera)
    lasts = created.TerminationTime - created.CurrentTime
    assert timedelta(seconds=59) <= lasts <= timedelta(seconds=61)

    simulated = fleet.camera("AX-1")
    await simulated.update(image="moved")
    simulated.raise_event(Topic.DIGITAL_INPUT, True)
    answer = await pullpoint.PullMessages({"Timeout": "PT5S", "MessageLimit": 10})
    assert _topics(answer) == [Topic.GLOBAL_SCENE_CHANGE.value, Topic.DIGITAL_INPUT.value]
    item = answer.NotificationMessage[1].Message._value_1
    assert item.Source.SimpleItem[0].Name == "InputToken" and item.Data.SimpleItem[0].Value == "true"

    # Back to normal: the scene change ends with State false; nothing else is waiting afterwards.
    await simulated.update(image="normal")
    answer = await pullpoint.PullMessages({"Timeout": "PT1S", "MessageLimit": 10})
    assert _topics(answer) == [Topic.GLOBAL_SCENE_CHANGE.value]
    assert answer.NotificationMessage[0].Message._value_1.Data.SimpleItem[0].Value == "false"
    assert not (await pullpoint.PullMessages({"Timeout": "PT0S", "MessageLimit": 10})).NotificationMessage

    manager = await camera.create_subscription_service("PullPointSubscription")
    renewed = await manager.Renew("PT120S")
    assert renewed.TerminationTime - renewed.CurrentTime >= timedelta(seconds=119)
    await manager.Unsubscribe()
    with pytest.raises(zeep.exceptions.Fault):
        await pullpoint.PullMessages({"Timeout": "PT0S", "MessageLimit": 1})
    counters = simulated.device.events.as_dict()
    assert counters["created"] == 1 and counters["renewed"] == 1 and counters["unsubscribed"] == 1


async def test_an_empty_pull_is_held_for_its_timeout_and_an_event_ends_it_early(
    fleet: SimulatedFleet, camera: ONVIFCamera
) -> None:
    # A long poll: with nothing queued the camera answers when the Timeout has passed, not at once (a client's cost
    # per camera is one pull per Timeout), and an event raised meanwhile is answered as soon as it comes.
    _, pullpoint = await _subscribe(camera)
    loop = asyncio.get_running_loop()
    started = loop.time()
    answer = await pullpoint.PullMessages({"Timeout": "PT2S", "MessageLimit": 10})
    assert not answer.NotificationMessage and 1.9 <= loop.time() - started < 3.5

    simulated = fleet.camera("AX-1")
    loop.call_later(0.5, simulated.raise_event, Topic.DIGITAL_INPUT, True)
    started = loop.time()
    answer = await pullpoint.PullMessages({"Timeout": "PT10S", "MessageLimit": 10})
    assert _topics(answer) == [Topic.DIGITAL_INPUT.value] and 0.4 <= loop.time() - started < 3
    assert simulated.device.counters.onvif["PullMessages"] == 2


async def test_event_properties_and_capabilities_name_the_service(camera: ONVIFCamera) -> None:
    events = await camera.create_events_service()
    properties = await events.GetEventProperties()
    assert properties.FixedTopicSet is True
    device = await camera.create_devicemgmt_service()
    capabilities = await device.GetCapabilities({"Category": "Events"})
    assert capabilities.Events.WSPullPointSupport is True
    assert capabilities.Events.XAddr.endswith("/onvif/event_service")


async def test_a_camera_without_events_answers_not_implemented(fleet: SimulatedFleet, camera: ONVIFCamera) -> None:
    await fleet.camera("AX-1").update(events=False)
    device = await camera.create_devicemgmt_service()
    services = await device.GetServices(False)
    assert not any("events" in service.Namespace for service in services)
    events = await camera.create_events_service()
    with pytest.raises(zeep.exceptions.Fault, match="Not Implemented"):
        await events.CreatePullPointSubscription({"InitialTerminationTime": "PT60S"})


async def test_minutes_read_as_seconds_and_clock_skew_show_in_the_camera_s_times(
    fleet: SimulatedFleet, camera: ONVIFCamera
) -> None:
    await fleet.camera("AX-1").update(event_termination_scale=1 / 60, clock_offset_s=-3600)
    created, _ = await _subscribe(camera, "PT10M")
    # Ten minutes asked, ten seconds granted; both times on the camera's clock, an hour behind.
    lasts = created.TerminationTime - created.CurrentTime
    assert timedelta(seconds=9) <= lasts <= timedelta(seconds=11)


async def test_one_unsubscribe_cancels_every_subscription_on_a_quirky_camera(
    fleet: SimulatedFleet, camera: ONVIFCamera
) -> None:
    await fleet.camera("AX-1").update(events_cancel_all=True)
    other = ONVIFCamera("127.40.1.1", ONVIF, USER, PASSWORD, no_cache=True)
    await other.update_xaddrs()
    try:
        _, mine = await _subscribe(camera)
        await _subscribe(other)
        await (await other.create_subscription_service("PullPointSubscription")).Unsubscribe()
        with pytest.raises(zeep.exceptions.Fault):
            await mine.PullMessages({"Timeout": "PT0S", "MessageLimit": 1})
    finally:
        await other.close()


async def test_a_hanging_pull_never_answers_and_a_reboot_forgets_subscriptions(
    fleet: SimulatedFleet, camera: ONVIFCamera
) -> None:
    _, pullpoint = await _subscribe(camera)
    simulated = fleet.camera("AX-1")
    await simulated.update(events_pull_hangs=True)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(pullpoint.PullMessages({"Timeout": "PT1S", "MessageLimit": 1}), 3)
    await simulated.update(events_pull_hangs=False)
    await simulated.reboot()
    assert simulated.device.events.as_dict()["subscriptions"] == 0


async def test_a_flood_fills_a_bounded_queue_and_subscriptions_are_limited(
    fleet: SimulatedFleet, camera: ONVIFCamera
) -> None:
    simulated = fleet.camera("AX-1")
    _, pullpoint = await _subscribe(camera)
    await simulated.update(event_flood=2000)
    deadline = asyncio.get_running_loop().time() + 30
    while simulated.device.events.raised < QUEUE_LENGTH * 2 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    await simulated.update(event_flood=0)
    subscription = next(iter(simulated.device.events.subscriptions.values()))
    assert len(subscription.queue) == QUEUE_LENGTH and subscription.dropped > 0
    answer = await pullpoint.PullMessages({"Timeout": "PT0S", "MessageLimit": 100})
    assert set(_topics(answer)) == {Topic.MOTION.value} and len(answer.NotificationMessage) == 100
    for _ in range(MAX_SUBSCRIPTIONS - 1):
        await _subscribe(camera)
    events = await camera.create_events_service()
    with pytest.raises(zeep.exceptions.Fault):
        await events.CreatePullPointSubscription({"InitialTerminationTime": "PT60S"})


async def test_slow_subscribe_answers_are_counted_across_the_fleet_while_in_flight(
    fleet: SimulatedFleet, camera: ONVIFCamera
) -> None:
    hik = ONVIFCamera("127.40.1.2", ONVIF, USER, PASSWORD, no_cache=True)
    await hik.update_xaddrs()
    try:
        for name in ("AX-1", "HIK-1"):
            await fleet.camera(name).update(events_subscribe_delay_s=0.5)
        events = [await camera.create_events_service(), await camera.create_events_service()]
        events.append(await hik.create_events_service())
        started = asyncio.get_running_loop().time()
        await asyncio.gather(
            *(service.CreatePullPointSubscription({"InitialTerminationTime": "PT60S"}) for service in events)
        )
        took = asyncio.get_running_loop().time() - started
    finally:
        await hik.close()
    # Three answered together, each 0.5 s late: two at one camera and one at another, all counted at once.
    assert 0.5 <= took < 1.4
    assert (fleet.subscribing.now, fleet.subscribing.most) == (0, 3)
    assert fleet.camera("AX-1").device.events.created == 2 and fleet.camera("HIK-1").device.events.created == 1
    fleet.reset_counters()
    assert fleet.subscribing.most == 0
    await _subscribe(camera)
    await _subscribe(camera)
    assert fleet.subscribing.most == 1


async def test_the_control_api_raises_events_and_refuses_bad_ones(fleet: SimulatedFleet) -> None:
    server = ControlServer(fleet, "127.40.1.250", 8766)
    await server.start()
    try:
        async with aiohttp.ClientSession(base_url="http://127.40.1.250:8766") as http:
            body = {"topic": Topic.DIGITAL_INPUT.value, "state": True}
            async with http.post("/cameras/AX-1/events", json=body) as answer:
                assert answer.status == 200 and (await answer.json())["source"] == "DI_0"
            for bad in ({"topic": "tns1:Nope"}, {"topic": Topic.FAN_FAILURE.value, "state": "yes"}):
                async with http.post("/cameras/AX-1/events", json=bad) as refused:
                    assert refused.status == 400
    finally:
        await server.stop()
    assert fleet.camera("AX-1").device.events.raised == 1


async def test_traps_go_to_loopback_only_and_need_a_destination(fleet: SimulatedFleet) -> None:
    camera = fleet.camera("HIK-1")
    with pytest.raises(ValueError, match="not a loopback address"):
        await camera.update(trap_to="10.0.0.1:162")
    assert camera.send_trap("coldStart") is False  # no destination: nothing sent
    server = ControlServer(fleet, "127.40.1.250", 8766)
    await server.start()
    try:
        async with aiohttp.ClientSession(base_url="http://127.40.1.250:8766") as http:
            async with http.post("/cameras/HIK-1/traps", json={"trap": "coldStart"}) as refused:
                assert refused.status == 409
            async with http.post("/cameras/HIK-1/traps", json={"trap": "bogus"}) as bad:
                assert bad.status == 400
    finally:
        await server.stop()
