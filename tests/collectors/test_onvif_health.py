"""GetSystemDateAndTime against the replay cameras: clock, drift and credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from collectors import AuthFailed, Collectors, OnvifHealthObservation
from config.checks import CheckKind
from tests.collectors.conftest import AXIS_HOST, PASSWORD, PELCO_HOST, make_target
from tests.peers.onvif_replay import OnvifReplayCamera

# The device clock has whole seconds: it is up to one second behind the instant it answers.
DRIFT_TOLERANCE_S = 1.5


async def test_unauthenticated_clock_and_no_drift(collectors: Collectors, pelco: OnvifReplayCamera) -> None:
    result = await collectors.run(CheckKind.ONVIF_HEALTH, make_target(host=PELCO_HOST, username=None, password=None))
    assert result.ok, result.error
    assert isinstance(result.observation, OnvifHealthObservation)
    assert result.observation.device_time.tzinfo is UTC
    assert abs((result.observation.device_time - datetime.now(UTC)).total_seconds()) < 5
    assert abs(result.observation.clock_drift_s) < DRIFT_TOLERANCE_S


async def test_camera_demanding_credentials_gets_them_and_drift_is_measured(
    collectors: Collectors, axis: OnvifReplayCamera
) -> None:
    result = await collectors.run(CheckKind.ONVIF_HEALTH, make_target(host=AXIS_HOST))
    assert result.ok, result.error
    assert isinstance(result.observation, OnvifHealthObservation)
    assert abs(result.observation.clock_drift_s - 42.0) < DRIFT_TOLERANCE_S


async def test_wrong_password_is_auth_failed_without_the_password(
    collectors: Collectors, axis: OnvifReplayCamera
) -> None:
    wrong = PASSWORD + "-old"
    result = await collectors.run(CheckKind.ONVIF_HEALTH, make_target(host=AXIS_HOST, password=wrong))
    assert isinstance(result.error, AuthFailed)
    assert wrong not in result.error.message and wrong not in repr(result)


async def test_chunked_answer(collectors: Collectors, captures: Path) -> None:
    camera = OnvifReplayCamera(captures / "pelco-imp321-1es", "127.50.2.5", chunked=True)
    await camera.start()
    try:
        result = await collectors.run(CheckKind.ONVIF_HEALTH, make_target(host=camera.host))
    finally:
        await camera.stop()
    assert result.ok, result.error
