"""The stream check against a simulated camera (Digest), a Basic-only RTSP peer and hostile RTSP peers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio

from collectors import AuthFailed, BadResponse, Collectors, MediaProfile, StreamObservation, Target
from collectors.authn import authorization, parse_challenges
from collectors.errors import Timeout, Unreachable, Unsupported
from collectors.stream import describe_sdp, h264_size, h265_size
from config.checks import CheckKind
from fleet.faults.rules import stream_mismatch
from simulator import httpauth
from simulator.fleet import SimulatedFleet
from simulator.rtsp import sdp
from simulator.spec import CameraSpec
from simulator.sps import h264_sps, h265_sps
from tests.peers.rtsp_peer import RtspBehaviour, RtspPeer

TIMEOUT = 1.5
PASSWORD = "Str0m-Venlo!"
AXIS, UNIVIEW, BASIC = "127.90.1.1", "127.90.1.2", "127.90.1.20"


def _target(host: str, *, password: str = PASSWORD, media: MediaProfile | None = None, user: str = "root") -> Target:
    return Target(1, f"cam-{host}", host, 8080, 8554, 1161, user, password, None, media)


@pytest_asyncio.fixture(scope="module")
async def fleet() -> AsyncIterator[SimulatedFleet]:
    specs = [
        CameraSpec("AX-S", AXIS, 8080, 1161, 8554, "root", PASSWORD, declared_manufacturer="Axis Communications"),
        CameraSpec("UV-S", UNIVIEW, 8080, 1161, 8554, "root", PASSWORD, declared_manufacturer="Uniview"),
    ]
    async with SimulatedFleet(specs, snapshot_size=(320, 180)) as simulated:
        yield simulated


@pytest_asyncio.fixture(scope="module")
async def collectors() -> AsyncIterator[Collectors]:
    async with Collectors(device_timeout=TIMEOUT) as shared:
        yield shared


async def _observe(collectors: Collectors, target: Target) -> StreamObservation:
    result = await collectors.run(CheckKind.STREAM, target)
    assert result.ok, result.error
    assert isinstance(result.observation, StreamObservation)
    return result.observation


async def test_digest_describe_finds_the_profile_stream_over_onvif(
    fleet: SimulatedFleet, collectors: Collectors
) -> None:
    fleet.reset_counters()
    seen = await _observe(collectors, _target(AXIS))  # no stored profile: asked over ONVIF first
    assert seen.auth == "digest" and seen.auth_offered == ("digest",) and seen.auth_endpoint == "rtsp"
    assert (seen.codec, seen.width, seen.height) == ("H264", 1920, 1080)
    assert (seen.profile_encoding, seen.profile_width, seen.profile_height) == ("H264", 1920, 1080)
    assert stream_mismatch({"codec": seen.codec, "width": seen.width, "height": seen.height,
                            "profile_encoding": seen.profile_encoding, "profile_width": seen.profile_width,
                            "profile_height": seen.profile_height}) == []  # fmt: skip
    assert fleet.camera("AX-S").device.counters.rtsp == {"OPTIONS": 1, "DESCRIBE": 2}


async def test_stored_profile_is_used_and_its_host_pinned(fleet: SimulatedFleet, collectors: Collectors) -> None:
    stream = fleet.camera("UV-S").device.streams[0]
    # The URI names another host: the camera may not send us elsewhere, so its own address is used.
    media = MediaProfile("p0", None, "H265", 2560, 1440, f"rtsp://203.0.113.9:8554{stream.path}", None)
    fleet.reset_counters()
    seen = await _observe(collectors, _target(UNIVIEW, media=media))
    assert seen.stream_uri.startswith(f"rtsp://{UNIVIEW}:8554/")
    assert (seen.codec, seen.width, seen.height) == ("H265", 2560, 1440)
    assert fleet.camera("UV-S").device.counters.onvif == {}  # the stored profile spared the ONVIF calls


async def test_a_resized_stream_is_a_mismatch(fleet: SimulatedFleet, collectors: Collectors) -> None:
    await fleet.camera("AX-S").update(stream_mismatch=True)
    try:
        seen = await _observe(collectors, _target(AXIS))
    finally:
        await fleet.camera("AX-S").update(stream_mismatch=False)
    assert (seen.width, seen.height) == (960, 540)
    values = {"codec": "H264", "width": 960, "height": 540, "profile_encoding": "H264", "profile_width": 1920,
              "profile_height": 1080}  # fmt: skip
    assert stream_mismatch(values) == ["resolution 960×540 instead of 1920×1080"]
    assert stream_mismatch({**values, "codec": "H265", "width": 1920, "height": 1080}) == ["codec H265 instead of H264"]


async def test_wrong_password_and_closed_port(fleet: SimulatedFleet, collectors: Collectors) -> None:
    stream = fleet.camera("AX-S").device.streams[0]
    media = MediaProfile("p0", None, "H264", 1920, 1080, f"rtsp://{AXIS}:8554{stream.path}", None)
    refused = await collectors.run(CheckKind.STREAM, _target(AXIS, password="wrong", media=media))
    assert isinstance(refused.error, AuthFailed)
    await fleet.camera("AX-S").update(rtsp_down=True)
    try:
        down = await collectors.run(CheckKind.STREAM, _target(AXIS, media=media))
    finally:
        await fleet.camera("AX-S").update(rtsp_down=False)
    assert isinstance(down.error, Unreachable)


@pytest_asyncio.fixture(scope="module")
async def peers() -> AsyncIterator[dict[RtspBehaviour, RtspPeer]]:
    started = {b: RtspPeer(b, f"127.90.1.{20 + n}") for n, b in enumerate(RtspBehaviour)}
    for peer in started.values():
        await peer.start()
    yield started
    for peer in started.values():
        await peer.stop()


def _peer_media(peer: RtspPeer) -> MediaProfile:
    return MediaProfile("main", None, "H265", 2560, 1440, f"rtsp://{peer.host}:{peer.port}/live/main", None)


async def test_basic_only_camera_allowed_basic(peers: dict[RtspBehaviour, RtspPeer], collectors: Collectors) -> None:
    peer = peers[RtspBehaviour.basic_only]
    target = _target(peer.host, user=peer.username, password=peer.password, media=_peer_media(peer))
    seen = await _observe(collectors, replace(target, allow_basic=True))
    assert seen.auth == "basic" and seen.auth_offered == ("basic",)
    assert (seen.codec, seen.width, seen.height) == ("H265", 2560, 1440)  # the video section, not the audio one
    wrong = await collectors.run(CheckKind.STREAM, _target(peer.host, media=_peer_media(peer)))
    assert isinstance(wrong.error, AuthFailed)


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        (RtspBehaviour.garbage, BadResponse),
        (RtspBehaviour.hang, Timeout),
        (RtspBehaviour.huge_body, BadResponse),
        (RtspBehaviour.endless_header, BadResponse),
        (RtspBehaviour.slow_drip, Timeout),
        (RtspBehaviour.no_video, BadResponse),
        (RtspBehaviour.not_sdp, BadResponse),
        (RtspBehaviour.server_error, BadResponse),
    ],
)
async def test_hostile_answers_fail_this_camera_in_time(
    peers: dict[RtspBehaviour, RtspPeer], collectors: Collectors, behaviour: RtspBehaviour, error: type
) -> None:
    peer = peers[behaviour]
    started = time.perf_counter()
    result = await collectors.run(CheckKind.STREAM, _target(peer.host, media=_peer_media(peer)))
    assert not result.ok and type(result.error) is error, result.error
    assert time.perf_counter() - started < TIMEOUT + 0.5


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720), (2560, 1440), (704, 576), (640, 360)])
def test_picture_size_from_the_sequence_parameter_set(width: int, height: int) -> None:
    assert h264_size(h264_sps(width, height)) == (width, height)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (2560, 1440), (3840, 2160), (704, 576), (1278, 718)])
def test_picture_size_from_the_h265_sequence_parameter_set(width: int, height: int) -> None:
    assert h265_size(h265_sps(width, height)) == (width, height)


# Sequence parameter sets written by the x265 encoder (ffmpeg testsrc2), as an RTSP player's tests carry them: 1920×1080
# coded as 1088 lines with a conformance window, and 640×360 at level 2.1.
X265_1080 = "420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000c84"
X265_360 = "42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321"


def test_h265_sizes_from_a_real_encoder() -> None:
    assert h265_size(bytes.fromhex(X265_1080)) == (1920, 1080)
    assert h265_size(bytes.fromhex(X265_360)) == (640, 360)


def _bits(*fields: tuple[int, int]) -> str:
    return "".join(format(value, f"0{width}b") for width, value in fields)


def _ue(value: int) -> str:
    code = format(value + 1, "b")
    return "0" * (len(code) - 1) + code


def test_h265_sps_with_sub_layers_and_4k_window() -> None:
    # Two sub-layers, the first with its own profile and level: the less common paths of profile_tier_level.
    bits = _bits((4, 0), (3, 1), (1, 1), (8, 0x22), (32, 0x20000000), (48, 0), (8, 150), (1, 1), (1, 1))
    bits += "00" * 7 + "0" * 88 + "0" * 8  # reserved_zero_2bits, the sub-layer's profile and level
    bits += _ue(0) + _ue(1) + _ue(3840) + _ue(2176) + "1" + _ue(0) + _ue(0) + _ue(0) + _ue(8) + "1"
    bits += "0" * (-len(bits) % 8)
    nal = b"\x42\x01" + int(bits, 2).to_bytes(len(bits) // 8, "big")
    assert h265_size(nal) == (3840, 2160)


@pytest.mark.parametrize(
    "value",
    [
        "",  # empty
        "QAEMAf//AWAAAAMAkAAAAwAAAwB4rAk=",  # a VPS where the SPS belongs
        "QgEBAWAAAAMAkAAAAw==",  # cut off inside profile_tier_level
        "QgEBAWAAAAMAkAAAAwAAAwB4gA==",  # cut off at the chroma format
        "QgEBAWAAAAMAkAAAAwAAAwB4rA==",  # a picture 0 samples wide
        "not base64 at all!",
    ],
)
def test_a_broken_h265_sps_leaves_the_size_unknown(value: str) -> None:
    text = f"v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\na=fmtp:96 profile-id=1;sprop-sps={value}\r\n"
    assert describe_sdp(text.encode()) == ("H265", None, None)


def test_sdp_parsing(fleet: SimulatedFleet) -> None:
    device = fleet.camera("AX-S").device
    assert describe_sdp(sdp(device, device.streams[1], AXIS).encode()) == ("H264", 640, 360)
    # Without size attributes the H.264 parameter sets still tell the size.
    bare = "\r\n".join(line for line in sdp(device, device.streams[0], AXIS).splitlines() if "dimensions" not in line
                       and "framesize" not in line)  # fmt: skip
    assert describe_sdp(bare.encode()) == ("H264", 1920, 1080)
    # H.265 (RFC 7798): from sprop-sps, as cameras that send no size attribute have it.
    hevc = fleet.camera("UV-S").device
    assert hevc.streams[0].codec == "H265"
    bare = "\r\n".join(line for line in sdp(hevc, hevc.streams[0], UNIVIEW).splitlines() if "dimensions" not in line
                       and "framesize" not in line)  # fmt: skip
    assert describe_sdp(bare.encode()) == ("H265", hevc.streams[0].width, hevc.streams[0].height)
    assert describe_sdp(b"v=0\r\nm=video 0 RTP/AVP 26\r\n") == ("JPEG", None, None)
    with pytest.raises(BadResponse):
        describe_sdp(b"\xff\xfe not text")


def test_digest_answer_is_accepted_by_a_real_checker() -> None:
    challenges = httpauth.challenges("AXIS_ACCC8E")
    assert [c.scheme for c in parse_challenges(reversed(challenges))] == ["digest", "basic"]
    login = {"basic_allowed": False, "channel": "rtsp"}
    scheme, header = authorization(
        challenges, method="DESCRIBE", uri="rtsp://h/x", username="root", password="pw", **login
    )
    assert scheme == "digest"
    assert httpauth.authorised(header, "DESCRIBE", "AXIS_ACCC8E", "root", "pw")
    assert not httpauth.authorised(header, "DESCRIBE", "AXIS_ACCC8E", "root", "other")
    with pytest.raises(Unsupported):
        authorization(["Negotiate abc"], method="GET", uri="/", username="u", password="p", **login)
    with pytest.raises(AuthFailed):
        authorization(challenges, method="GET", uri="/", username=None, password=None, **login)
