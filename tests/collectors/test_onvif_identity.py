"""Identity from the real Axis and Pelco captures, through onvif-zeep-async."""

from __future__ import annotations

from pathlib import Path

from collectors import AuthFailed, Collectors, MediaProfile, OnvifIdentityObservation
from config.checks import CheckKind
from tests.collectors.conftest import AXIS_HOST, PASSWORD, PELCO_HOST, make_target
from tests.peers.onvif_replay import OnvifReplayCamera


async def test_axis_identity(collectors: Collectors, axis: OnvifReplayCamera) -> None:
    result = await collectors.run(CheckKind.ONVIF_IDENTITY, make_target(host=AXIS_HOST))
    assert result.ok, result.error
    assert result.observation == OnvifIdentityObservation(
        manufacturer="AXIS",
        model="M5525-E",
        firmware="8.40.1.1",
        serial="ACCC8EBECCEA",
        hardware_id="757",
        mac="ac:cc:8e:be:cc:ea",
        profiles=(
            MediaProfile(
                token="profile_1_h264",
                name="profile_1 h264",
                encoding="H264",
                width=1920,
                height=1080,
                stream_uri=f"rtsp://{AXIS_HOST}:554/stream/profile_1_h264",
                snapshot_uri=f"http://{AXIS_HOST}:8080/snapshot/profile_1_h264.jpg",
            ),
            MediaProfile(
                token="profile_1_jpeg",
                name="profile_1 jpeg",
                encoding="JPEG",
                width=1920,
                height=1080,
                stream_uri=f"rtsp://{AXIS_HOST}:554/stream/profile_1_jpeg",
                snapshot_uri=f"http://{AXIS_HOST}:8080/snapshot/profile_1_jpeg.jpg",
            ),
        ),
    )


async def test_pelco_identity_without_credentials(collectors: Collectors, pelco: OnvifReplayCamera) -> None:
    result = await collectors.run(CheckKind.ONVIF_IDENTITY, make_target(host=PELCO_HOST, username=None, password=None))
    assert result.ok, result.error
    observation = result.observation
    assert isinstance(observation, OnvifIdentityObservation)
    assert (observation.manufacturer, observation.model, observation.firmware) == (
        "pelco",
        "IMP321-1ES",
        "01.16.42-20180912",
    )
    assert observation.serial == "T82212128"
    assert observation.hardware_id is None  # the capture's HardwareId is empty
    assert observation.mac == "00:04:7d:36:a5:4e"
    assert [(p.token, p.encoding, p.width, p.height) for p in observation.profiles] == [
        ("0", "H264", 2048, 1536),
        ("1", "H264", 800, 600),
    ]
    assert observation.profiles[0].stream_uri == f"rtsp://{PELCO_HOST}:554/stream/0"


async def test_wrong_password_is_auth_failed(collectors: Collectors, axis: OnvifReplayCamera) -> None:
    wrong = PASSWORD + "-old"
    result = await collectors.run(CheckKind.ONVIF_IDENTITY, make_target(host=AXIS_HOST, password=wrong))
    assert isinstance(result.error, AuthFailed)
    assert wrong not in result.error.message


async def test_missing_optional_operations_leave_gaps_not_errors(collectors: Collectors, captures: Path) -> None:
    camera = OnvifReplayCamera(
        captures / "pelco-imp321-1es", "127.50.2.6", unsupported=frozenset({"GetNetworkInterfaces", "GetStreamUri"})
    )
    await camera.start()
    try:
        result = await collectors.run(CheckKind.ONVIF_IDENTITY, make_target(host=camera.host, username=None))
    finally:
        await camera.stop()
    assert result.ok, result.error
    assert isinstance(result.observation, OnvifIdentityObservation)
    assert result.observation.model == "IMP321-1ES"
    assert result.observation.mac is None
    assert [profile.stream_uri for profile in result.observation.profiles] == [None, None]
    assert result.observation.profiles[0].snapshot_uri is not None
