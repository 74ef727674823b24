"""The one media-profile cache: stored, being found by an identity check, or asked once and shared."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from collectors.base import MediaProfile, Target
from collectors.errors import Unreachable
from collectors.profiles import MediaProfiles

CAMERA = Target(camera_id=1, name="C-1", host="127.0.0.1", onvif_port=8080, rtsp_port=8554, snmp_port=1161)
MAIN = MediaProfile("main", "Main", "H264", 1920, 1080, "rtsp://127.0.0.1/main", "http://127.0.0.1/snap.jpg")
STORED = replace(MAIN, token="stored")


class Camera:
    """A camera's ONVIF media service as the cache sees it: how often it was asked, and what it answers."""

    def __init__(self, answer: MediaProfile | None = MAIN, *, fail: bool = False) -> None:
        self.asked = 0
        self.answer, self.fail = answer, fail
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, target: Target) -> MediaProfile | None:
        self.asked += 1
        await self.release.wait()
        if self.fail:
            raise Unreachable("no answer")
        return self.answer


async def test_a_stored_profile_asks_nothing() -> None:
    camera = Camera()
    assert await MediaProfiles(camera)(replace(CAMERA, media=STORED)) is STORED
    assert camera.asked == 0


async def test_checks_at_the_same_time_share_one_lookup_and_its_answer_is_kept() -> None:
    camera = Camera()
    camera.release.clear()
    profiles = MediaProfiles(camera)
    waiting = [asyncio.create_task(profiles(CAMERA)) for _ in range(3)]
    await asyncio.sleep(0)
    camera.release.set()
    assert await asyncio.gather(*waiting) == [MAIN, MAIN, MAIN]
    assert await profiles(CAMERA) is MAIN and camera.asked == 1


async def test_a_failed_lookup_is_not_kept() -> None:
    camera = Camera(fail=True)
    profiles = MediaProfiles(camera)
    for _ in range(2):
        with pytest.raises(Unreachable):
            await profiles(CAMERA)
    assert camera.asked == 2


async def test_the_checks_wait_for_the_identity_check_of_their_batch() -> None:
    camera = Camera()
    profiles = MediaProfiles(camera)
    resolve = profiles.expect(CAMERA)
    waiting = asyncio.create_task(profiles.expected(CAMERA))
    await asyncio.sleep(0)
    assert not waiting.done()
    resolve(MAIN)
    assert await waiting is MAIN
    assert await profiles(CAMERA) is MAIN and camera.asked == 0


async def test_an_identity_check_that_found_nothing_lets_the_checks_ask_the_camera() -> None:
    camera = Camera()
    profiles = MediaProfiles(camera)
    resolve = profiles.expect(CAMERA)
    resolve(None)
    assert await profiles.expected(CAMERA) is None
    assert await profiles(CAMERA) is MAIN and camera.asked == 1


async def test_nothing_expected_is_none_at_once() -> None:
    assert await MediaProfiles(Camera()).expected(CAMERA) is None
