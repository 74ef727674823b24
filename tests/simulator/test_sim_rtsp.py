"""RTSP OPTIONS/DESCRIBE spoken raw over a socket."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re

import pytest

from simulator.fleet import SimulatedFleet


async def _exchange(host: str, request: str) -> tuple[str, dict[str, str], str]:
    reader, writer = await asyncio.open_connection(host, 8554)
    try:
        writer.write(request.encode())
        await writer.drain()
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        status, *lines = head.strip().split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        body = (await reader.readexactly(int(headers.get("content-length", 0)))).decode()
        return status, headers, body
    finally:
        writer.close()


def _digest(challenge: str, user: str, password: str, method: str, uri: str) -> str:
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    ha1 = hashlib.md5(f"{user}:{params['realm']}:{password}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
    response = hashlib.md5(f"{ha1}:{params['nonce']}:{ha2}".encode()).hexdigest()
    return (
        f'Digest username="{user}", realm="{params["realm"]}", nonce="{params["nonce"]}", uri="{uri}", '
        f'response="{response}"'
    )


async def test_options_lists_methods(fleet: SimulatedFleet) -> None:
    status, headers, _ = await _exchange(
        "127.40.1.5", "OPTIONS rtsp://127.40.1.5:8554/live/main RTSP/1.0\r\nCSeq: 1\r\n\r\n"
    )
    assert status == "RTSP/1.0 200 OK"
    assert headers["cseq"] == "1"
    assert "DESCRIBE" in headers["public"]
    assert fleet.camera("GEN-1").device.counters.rtsp["OPTIONS"] == 1


async def test_describe_gives_codec_and_resolution(fleet: SimulatedFleet) -> None:
    url = "rtsp://127.40.1.5:8554/live/main"
    status, headers, sdp = await _exchange(
        "127.40.1.5", f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n"
    )
    assert status == "RTSP/1.0 200 OK"
    assert headers["content-type"] == "application/sdp"
    assert "a=rtpmap:96 H264/90000" in sdp
    assert "a=x-dimensions:1920,1080" in sdp


async def test_describe_needs_digest_when_camera_has_credentials(fleet: SimulatedFleet) -> None:
    spec = fleet.camera("HIK-1").device.spec
    uri = "rtsp://127.40.1.2:8554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1"
    status, headers, _ = await _exchange(spec.host, f"DESCRIBE {uri} RTSP/1.0\r\nCSeq: 3\r\n\r\n")
    assert status == "RTSP/1.0 401 Unauthorized"
    auth = _digest(headers["www-authenticate"], spec.username, spec.password, "DESCRIBE", uri)
    status, _, sdp = await _exchange(spec.host, f"DESCRIBE {uri} RTSP/1.0\r\nCSeq: 4\r\nAuthorization: {auth}\r\n\r\n")
    assert status == "RTSP/1.0 200 OK"
    assert "a=rtpmap:96 H265/90000" in sdp and "a=framesize:96 2688-1520" in sdp


async def test_unknown_stream_is_404(fleet: SimulatedFleet) -> None:
    status, _, _ = await _exchange("127.40.1.5", "DESCRIBE rtsp://127.40.1.5:8554/nope RTSP/1.0\r\nCSeq: 5\r\n\r\n")
    assert status == "RTSP/1.0 404 Stream Not Found"


async def test_rtsp_down_refuses_connections_while_onvif_answers(fleet: SimulatedFleet) -> None:
    await fleet.camera("GEN-1").update(rtsp_down=True)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.40.1.5", 8554)
    _, writer = await asyncio.open_connection("127.40.1.5", 8080)
    writer.close()
    await fleet.camera("GEN-1").update(rtsp_down=False)
    status, _, _ = await _exchange("127.40.1.5", "OPTIONS * RTSP/1.0\r\nCSeq: 6\r\n\r\n")
    assert status == "RTSP/1.0 200 OK"


def _sps_size(sps: bytes) -> tuple[int, int]:
    """Read width and height back from an H.264 SPS (Main profile, frame_mbs_only, with cropping)."""
    payload = sps[1:].replace(b"\x00\x00\x03", b"\x00\x00")
    bits = "".join(f"{byte:08b}" for byte in payload)
    position = 24  # profile_idc, constraint flags, level_idc

    def read(width: int) -> int:
        nonlocal position
        value = int(bits[position : position + width] or "0", 2)
        position += width
        return value

    def ue() -> int:
        zeros = 0
        while bits[position + zeros] == "0":
            zeros += 1
        read(zeros)
        return read(zeros + 1) - 1

    ue(), ue()  # sps id, log2_max_frame_num_minus4
    assert ue() == 2  # pic_order_cnt_type
    ue(), read(1)  # max_num_ref_frames, gaps flag
    width_mbs, height_units = ue() + 1, ue() + 1
    assert read(1) == 1  # frame_mbs_only_flag
    read(1)  # direct_8x8_inference_flag
    crop = [ue() for _ in range(4)] if read(1) else [0, 0, 0, 0]
    return width_mbs * 16 - 2 * (crop[0] + crop[1]), height_units * 16 - 2 * (crop[2] + crop[3])


@pytest.mark.parametrize(("path", "size"), [("/live/main", (1920, 1080)), ("/live/sub", (640, 360))])
async def test_sprop_parameter_sets_carry_the_resolution(
    fleet: SimulatedFleet, path: str, size: tuple[int, int]
) -> None:
    _, _, sdp = await _exchange("127.40.1.5", f"DESCRIBE rtsp://127.40.1.5:8554{path} RTSP/1.0\r\nCSeq: 7\r\n\r\n")
    sprop = re.search(r"sprop-parameter-sets=([^;\r\n]+)", sdp)
    assert sprop is not None
    sps, pps = (base64.b64decode(part) for part in sprop.group(1).split(","))
    assert sps[0] & 0x1F == 7 and pps[0] & 0x1F == 8
    assert _sps_size(sps) == size
