"""No password in clear over plain HTTP or RTSP: a Basic-only camera gets the credentials only when it is allowed Basic.

Real sockets on loopback: the peer records every byte it receives, and the tests look for the password in every form
it could travel in (as text, inside a Basic token, base64 on its own).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio

from collectors import AuthFailed, Collectors, ImageObservation, MediaProfile, StreamObservation, Target
from collectors.authn import Offer, authorization
from collectors.errors import BasicRefused
from config.checks import CheckKind
from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec
from simulator.state import ImageState
from tests.peers.basic_only import BasicOnlyCamera

TIMEOUT = 1.5
HOST = "127.90.8.1"
REFUSAL = (
    "camera asks for Basic over unencrypted {channel}; credentials not sent; allow Basic for this camera if that is "
    "accepted"
)


def _password_forms(user: str, password: str) -> list[bytes]:
    return [
        password.encode(),
        base64.b64encode(f"{user}:{password}".encode()),
        base64.b64encode(password.encode()),
    ]


@pytest_asyncio.fixture(scope="module")
async def camera() -> AsyncIterator[BasicOnlyCamera]:
    spec = CameraSpec("PIC", "127.90.8.9", 8080, 1161, 8554, declared_manufacturer="Axis Communications")
    async with SimulatedFleet([spec], snapshot_size=(320, 180)) as fleet:
        jpeg = fleet.camera("PIC").device.snapshotter.snapshot(ImageState.NORMAL)
    peer = BasicOnlyCamera(HOST, jpeg)
    await peer.start()
    yield peer
    await peer.stop()


@pytest_asyncio.fixture(scope="module")
async def collectors() -> AsyncIterator[Collectors]:
    async with Collectors(device_timeout=TIMEOUT) as shared:
        yield shared


def _target(peer: BasicOnlyCamera, *, allow_basic: bool = False) -> Target:
    media = MediaProfile(
        "main",
        None,
        "H265",
        2560,
        1440,
        f"rtsp://{peer.host}:{peer.rtsp_port}/live/main",
        f"http://{peer.host}:{peer.http_port}/snap.jpg",
    )
    return Target(7, "basic-only", peer.host, peer.http_port, peer.rtsp_port, 1161, peer.username, peer.password,
                  None, media, allow_basic)  # fmt: skip


@pytest.mark.parametrize(("kind", "channel", "endpoint"), [(CheckKind.IMAGE, "http", "snapshot"),
                                                           (CheckKind.STREAM, "rtsp", "rtsp")])  # fmt: skip
async def test_basic_only_camera_never_gets_the_password(
    camera: BasicOnlyCamera, collectors: Collectors, kind: CheckKind, channel: str, endpoint: str
) -> None:
    camera.received.clear()
    result = await collectors.run(kind, _target(camera))
    assert not result.ok
    assert isinstance(result.error, BasicRefused) and isinstance(result.error, AuthFailed)
    assert result.error.message == REFUSAL.format(channel=channel)
    assert result.error.evidence["auth_endpoint"] == endpoint
    assert result.error.evidence["auth_offered"] == ["basic"]
    assert result.error.evidence["auth_challenges"] == ['Basic realm="cam"']
    assert result.error.evidence["auth"] == "none"
    assert camera.received, "the check asked the camera"
    assert b"Authorization" not in camera.received
    for form in _password_forms(camera.username, camera.password):
        assert form not in camera.received


@pytest.mark.parametrize("kind", [CheckKind.IMAGE, CheckKind.STREAM])
async def test_allowed_basic_sends_it_and_says_so(
    camera: BasicOnlyCamera, collectors: Collectors, kind: CheckKind
) -> None:
    camera.received.clear()
    result = await collectors.run(kind, _target(camera, allow_basic=True))
    assert result.ok, result.error
    assert isinstance(result.observation, ImageObservation | StreamObservation)
    assert result.observation.auth == "basic" and result.observation.auth_offered == ("basic",)
    # The same peer sees the token when it is sent: the assertion above could fail.
    assert camera.basic.removeprefix("Basic ").encode() in camera.received


@pytest.mark.parametrize("kind", [CheckKind.ONVIF_IDENTITY, CheckKind.ONVIF_HEALTH])
async def test_onvif_sends_a_password_digest_never_the_text(
    camera: BasicOnlyCamera, collectors: Collectors, kind: CheckKind
) -> None:
    camera.received.clear()
    result = await collectors.run(kind, replace(_target(camera), media=None))
    assert isinstance(result.error, AuthFailed), result.error
    assert b"#PasswordDigest" in camera.received and b"#PasswordText" not in camera.received
    for form in _password_forms(camera.username, camera.password):
        assert form not in camera.received


def test_basic_is_answered_over_an_encrypted_channel_or_when_allowed() -> None:
    challenges = ['Basic realm="cam"']
    login = {"method": "GET", "uri": "/snap.jpg", "username": "root", "password": "pw"}
    assert authorization(challenges, basic_allowed=True, channel="https", **login)[0] == "basic"
    with pytest.raises(BasicRefused, match="unencrypted http"):
        authorization(challenges, basic_allowed=False, channel="http", **login)
    # A Digest the client cannot use (an unknown algorithm) does not make Basic acceptable.
    unusable = ['Digest realm="cam", nonce="n", algorithm=SHA-512-256', 'Basic realm="cam"']
    with pytest.raises(BasicRefused):
        authorization(unusable, basic_allowed=False, channel="rtsp", **login)


def test_the_offer_kept_as_evidence_is_bounded_and_printable() -> None:
    values = [f'X{n}{"y" * 500} realm="\x1b[31mred"' for n in range(50)] + ['Basic realm="cam"']
    offer = Offer.of("snapshot", "http://127.90.8.1/snap.jpg", values)
    assert len(offer.schemes) == 4 and all(len(s) <= 32 for s in offer.schemes) and offer.schemes[0] == "basic"
    assert len(offer.challenges) == 4 and all(len(c) <= 200 and "\x1b" not in c for c in offer.challenges)
