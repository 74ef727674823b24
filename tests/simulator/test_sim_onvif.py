"""The real client, onvif-zeep-async 4.3.0, against simulated cameras: every operation, with and without auth."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
import zeep.exceptions
from onvif import ONVIFCamera

from simulator.fleet import SimulatedFleet

SOAP = "application/soap+xml; charset=utf-8"


async def _post(host: str, body: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"http://{host}:8080/onvif/device_service", data=body, headers={"Content-Type": SOAP}) as response,
    ):
        return response.status, await response.text()


@pytest_asyncio.fixture
async def client(fleet: SimulatedFleet) -> AsyncIterator[ONVIFCamera]:
    """An authenticated onvif-zeep-async client for AX-1."""
    spec = fleet.camera("AX-1").device.spec
    camera = ONVIFCamera(spec.host, spec.onvif_port, spec.username, spec.password)
    try:
        await camera.update_xaddrs()
        yield camera
    finally:
        await camera.close()


async def test_device_operations_parse(fleet: SimulatedFleet, client: ONVIFCamera) -> None:
    device = await client.create_devicemgmt_service()
    info = await device.GetDeviceInformation()
    ident = fleet.camera("AX-1").device.identity
    assert (info.Manufacturer, info.Model, info.FirmwareVersion) == ("AXIS", "P3245-LVE", ident.firmware)
    assert info.SerialNumber == ident.mac.replace(":", "").upper()  # Axis: serial = MAC
    interfaces = await device.GetNetworkInterfaces()
    assert interfaces[0].Info.HwAddress == ident.mac.upper()  # Axis writes the MAC in capitals
    capabilities = await device.GetCapabilities({"Category": "All"})
    assert capabilities.Media.XAddr == "http://127.40.1.1:8080/onvif/services"
    services = await device.GetServices({"IncludeCapability": True})
    assert {s.Namespace for s in services} == {
        "http://www.onvif.org/ver10/device/wsdl",
        "http://www.onvif.org/ver10/media/wsdl",
        "http://www.onvif.org/ver10/events/wsdl",
    }
    scopes = [s.ScopeItem for s in await device.GetScopes()]
    assert "onvif://www.onvif.org/hardware/P3245-LVE" in scopes
    assert "onvif://www.onvif.org/location/Markt" in scopes
    clock = (await device.GetSystemDateAndTime()).UTCDateTime
    assert clock.Date.Year == dt.datetime.now(dt.UTC).year


async def test_media_operations_parse(fleet: SimulatedFleet, client: ONVIFCamera) -> None:
    media = await client.create_media_service()
    profiles = await media.GetProfiles()
    assert [p.token for p in profiles] == ["profile_1_h264", "profile_2_h264"]
    main = profiles[0].VideoEncoderConfiguration
    assert (main.Encoding, main.Resolution.Width, main.Resolution.Height) == ("H264", 1920, 1080)
    setup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
    stream = await media.GetStreamUri({"StreamSetup": setup, "ProfileToken": "profile_1_h264"})
    assert stream.Uri.startswith("rtsp://127.40.1.1:8554/onvif-media/media.amp?profile=profile_1_h264")
    snapshot = await media.GetSnapshotUri({"ProfileToken": "profile_1_h264"})
    assert snapshot.Uri == "http://127.40.1.1:8080/axis-cgi/jpg/image.cgi?camera=1"
    jpeg = await client.get_snapshot("profile_1_h264")  # HTTP Digest against the camera
    assert jpeg is not None and jpeg.startswith(b"\xff\xd8")
    with pytest.raises(zeep.exceptions.Fault):
        await media.GetStreamUri({"StreamSetup": setup, "ProfileToken": "nope"})


async def test_hikvision_reports_h265_main_stream(fleet: SimulatedFleet) -> None:
    spec = fleet.camera("HIK-1").device.spec
    camera = ONVIFCamera(spec.host, spec.onvif_port, spec.username, spec.password)
    try:
        await camera.update_xaddrs()
        info = await (await camera.create_devicemgmt_service()).GetDeviceInformation()
        assert (info.Manufacturer, info.Model) == ("HIKVISION", "DS-2CD2T47G2-L")
        assert info.SerialNumber.startswith("DS-2CD2T47G2-L")
        profiles = await (await camera.create_media_service()).GetProfiles()
        assert [p.VideoEncoderConfiguration.Encoding for p in profiles] == ["H265", "H264"]
    finally:
        await camera.close()


async def test_camera_without_credentials_answers_everyone(fleet: SimulatedFleet) -> None:
    camera = ONVIFCamera("127.40.1.5", 8080, "", "")
    try:
        await camera.update_xaddrs()
        info = await (await camera.create_devicemgmt_service()).GetDeviceInformation()
        assert info.Manufacturer == "IPCAM"
        assert len(await (await camera.create_media_service()).GetProfiles()) == 2
    finally:
        await camera.close()


async def test_wrong_password_faults_but_clock_still_answers(fleet: SimulatedFleet) -> None:
    camera = ONVIFCamera("127.40.1.1", 8080, "admin", "wrong")
    try:
        with pytest.raises(zeep.exceptions.Fault) as fault:
            await camera.update_xaddrs()
        assert fault.value.subcodes is not None
        assert fault.value.subcodes[0].localname == "NotAuthorized"
        device = await camera.create_devicemgmt_service()
        clock = await device.authless_GetSystemDateAndTime()
        assert clock.UTCDateTime.Date.Year >= 2024
    finally:
        await camera.close()
    assert fleet.camera("AX-1").device.counters.onvif_auth_failures >= 1


@pytest.mark.parametrize(("name", "status"), [("HIK-1", 400), ("AX-1", 401), ("DAH-1", 500)])
async def test_auth_fault_http_status_per_vendor(fleet: SimulatedFleet, name: str, status: int) -> None:
    host = fleet.camera(name).device.spec.host
    body = (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>'
    )
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"http://{host}:8080/onvif/device_service", data=body, headers={"Content-Type": SOAP}) as r,
    ):
        text = await r.text()
    assert r.status == status
    assert "ter:NotAuthorized" in text


async def test_unknown_operation_is_action_not_supported(fleet: SimulatedFleet) -> None:
    body = (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        '<SystemReboot xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>'
    )
    code, text = await _post("127.40.1.5", body)
    assert code == 500
    assert "ter:ActionNotSupported" in text
    assert fleet.camera("GEN-1").device.counters.onvif["SystemReboot"] == 1


async def test_entities_are_not_expanded(fleet: SimulatedFleet) -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        '<GetScopes xmlns="http://www.onvif.org/ver10/device/wsdl">&a;</GetScopes></s:Body></s:Envelope>'
    )
    code, text = await _post("127.40.1.5", body)
    assert code in (200, 400)
    assert "aaaaaaaaaa" not in text


async def test_clock_offset_is_visible(fleet: SimulatedFleet, client: ONVIFCamera) -> None:
    await fleet.camera("AX-1").update(clock_offset_s=3600.0)
    device = await client.create_devicemgmt_service()
    answer = await device.GetSystemDateAndTime()
    utc = answer.UTCDateTime
    seen = dt.datetime(
        utc.Date.Year,
        utc.Date.Month,
        utc.Date.Day,
        utc.Time.Hour,
        utc.Time.Minute,
        utc.Time.Second,
        tzinfo=dt.UTC,
    )
    drift = (seen - dt.datetime.now(dt.UTC)).total_seconds()
    assert 3590 < drift < 3610
    assert answer.DateTimeType == "Manual"
