"""ONVIF device and media service: SOAP 1.2 requests in, answers shaped like real cameras' out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from lxml import etree

from simulator import recording
from simulator.device import Device, Stream
from simulator.events import EVENTS_PATH, NS_TEV
from simulator.soap import (
    NS_TDS,
    NS_TRT,
    Endpoint,
    SoapFault,
    SoapReply,
    check_authorised,
    envelope,
    fault_reply,
    not_implemented,
    read_request,
    text_at,
)
from simulator.users import SetUserFault, UserFault

# The simulated camera is set to the zone its POSIX TZ string describes (a camera setting, not camfleet's).
_LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
_POSIX_TZ = "CET-1CEST,M3.5.0,M10.5.0/3"


def handle(device: Device, endpoint: Endpoint, service: str, payload: bytes) -> SoapReply:
    """Answer one SOAP request to `service` (``device`` or ``media``) and count it."""
    try:
        operation, request, header = read_request(device, payload)
        entry = _OPERATIONS.get((service, operation))
        if entry is None:
            raise not_implemented()
        answer, pre_auth = entry
        if not pre_auth:
            check_authorised(device, header)
        return SoapReply(200, envelope(answer(device, endpoint, request)))
    except SoapFault as fault:
        return fault_reply(fault)


def _date_time(moment: datetime) -> str:
    return (
        f"<tt:Time><tt:Hour>{moment.hour}</tt:Hour><tt:Minute>{moment.minute}</tt:Minute>"
        f"<tt:Second>{moment.second}</tt:Second></tt:Time><tt:Date><tt:Year>{moment.year}</tt:Year>"
        f"<tt:Month>{moment.month}</tt:Month><tt:Day>{moment.day}</tt:Day></tt:Date>"
    )


def _system_date_and_time(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    utc = datetime.fromtimestamp(device.state.device_time(), UTC)
    local = utc.astimezone(_LOCAL_ZONE)
    # A drifting clock is one whose NTP sync was switched off: it reports Manual.
    kind = "NTP" if device.state.clock_offset_s == 0 else "Manual"
    dst = "true" if local.dst() else "false"
    return (
        f"<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>{kind}</tt:DateTimeType>"
        f"<tt:DaylightSavings>{dst}</tt:DaylightSavings><tt:TimeZone><tt:TZ>{_POSIX_TZ}</tt:TZ></tt:TimeZone>"
        f"<tt:UTCDateTime>{_date_time(utc)}</tt:UTCDateTime><tt:LocalDateTime>{_date_time(local)}"
        "</tt:LocalDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
    )


def _device_information(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    ident = device.reported
    return (
        f"<tds:GetDeviceInformationResponse><tds:Manufacturer>{escape(ident.manufacturer)}</tds:Manufacturer>"
        f"<tds:Model>{escape(ident.model)}</tds:Model><tds:FirmwareVersion>{escape(ident.firmware)}"
        f"</tds:FirmwareVersion><tds:SerialNumber>{escape(ident.serial)}</tds:SerialNumber>"
        f"<tds:HardwareId>{escape(ident.hardware_id)}</tds:HardwareId></tds:GetDeviceInformationResponse>"
    )


def _network_interfaces(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    mac = device.identity.mac.upper() if device.profile.onvif_mac_upper else device.identity.mac
    link = "<tt:AutoNegotiation>true</tt:AutoNegotiation><tt:Speed>100</tt:Speed><tt:Duplex>Full</tt:Duplex>"
    return (
        '<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled>'
        f"<tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>{mac}</tt:HwAddress>"
        f"<tt:MTU>1500</tt:MTU></tt:Info><tt:Link><tt:AdminSettings>{link}</tt:AdminSettings>"
        f"<tt:OperSettings>{link}</tt:OperSettings><tt:InterfaceType>6</tt:InterfaceType></tt:Link>"
        "<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual>"
        f"<tt:Address>{endpoint.host}</tt:Address><tt:PrefixLength>8</tt:PrefixLength></tt:Manual>"
        "<tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4></tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>"
    )


def _device_caps(device: Device, endpoint: Endpoint) -> str:
    return (
        f"<tt:Device><tt:XAddr>{endpoint.http}/onvif/device_service</tt:XAddr><tt:Network>"
        "<tt:IPFilter>false</tt:IPFilter><tt:ZeroConfiguration>false</tt:ZeroConfiguration>"
        "<tt:IPVersion6>false</tt:IPVersion6><tt:DynDNS>false</tt:DynDNS></tt:Network><tt:System>"
        "<tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>false</tt:DiscoveryBye>"
        "<tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>false</tt:SystemBackup>"
        "<tt:SystemLogging>true</tt:SystemLogging><tt:FirmwareUpgrade>true</tt:FirmwareUpgrade>"
        "<tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions>"
        "</tt:System><tt:IO><tt:InputConnectors>1</tt:InputConnectors><tt:RelayOutputs>1</tt:RelayOutputs>"
        "</tt:IO><tt:Security><tt:TLS1.1>false</tt:TLS1.1><tt:TLS1.2>true</tt:TLS1.2>"
        "<tt:OnboardKeyGeneration>false</tt:OnboardKeyGeneration><tt:AccessPolicyConfig>false"
        "</tt:AccessPolicyConfig><tt:X.509Token>false</tt:X.509Token><tt:SAMLToken>false</tt:SAMLToken>"
        "<tt:KerberosToken>false</tt:KerberosToken><tt:RELToken>false</tt:RELToken></tt:Security></tt:Device>"
    )


def _media_caps(device: Device, endpoint: Endpoint) -> str:
    return (
        f"<tt:Media><tt:XAddr>{endpoint.http}{device.profile.media_path}</tt:XAddr><tt:StreamingCapabilities>"
        "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
        "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
    )


def _events_caps(device: Device, endpoint: Endpoint) -> str:
    return (
        f"<tt:Events><tt:XAddr>{endpoint.http}{EVENTS_PATH}</tt:XAddr><tt:WSSubscriptionPolicySupport>false"
        "</tt:WSSubscriptionPolicySupport><tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
        "<tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport>"
        "</tt:Events>"
    )


def _capabilities(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    categories = {(c.text or "").strip() for c in request} or {"All"}
    parts = []
    if categories & {"All", "Device"}:
        parts.append(_device_caps(device, endpoint))
    if categories & {"All", "Events"} and device.state.events:
        parts.append(_events_caps(device, endpoint))
    if categories & {"All", "Media"}:
        parts.append(_media_caps(device, endpoint))
    if not parts:
        raise SoapFault(500, "env:Receiver", "ter:ActionNotSupported", "ter:NoSuchService")
    body = "".join(parts)
    return f"<tds:GetCapabilitiesResponse><tds:Capabilities>{body}</tds:Capabilities></tds:GetCapabilitiesResponse>"


def _services(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    include = text_at(request, f"{{{NS_TDS}}}IncludeCapability").lower() in ("true", "1")
    device_caps = (
        '<tds:Capabilities><tds:Capabilities><tds:Network IPFilter="false" ZeroConfiguration="false" '
        'IPVersion6="false" DynDNS="false" NTP="1"/><tds:Security TLS1.2="true" HttpDigest="true" '
        'UsernameToken="true"/><tds:System DiscoveryResolve="false" DiscoveryBye="false" '
        'SystemLogging="true" FirmwareUpgrade="true"/></tds:Capabilities></tds:Capabilities>'
    )
    media_caps = (
        '<tds:Capabilities><trt:Capabilities SnapshotUri="true" Rotation="false"><trt:ProfileCapabilities '
        'MaximumNumberOfProfiles="2"/><trt:StreamingCapabilities RTPMulticast="false" RTP_TCP="true" '
        'RTP_RTSP_TCP="true"/></trt:Capabilities></tds:Capabilities>'
    )
    events_caps = (
        '<tds:Capabilities><tev:Capabilities WSSubscriptionPolicySupport="false" WSPullPointSupport="true" '
        'WSPausableSubscriptionManagerInterfaceSupport="false" MaxNotificationProducers="0" '
        'MaxPullPoints="10"/></tds:Capabilities>'
    )
    entries = [
        (NS_TDS, "/onvif/device_service", device_caps, (2, 60)),
        (NS_TRT, device.profile.media_path, media_caps, (2, 60)),
    ]
    if device.state.events:
        entries.append((NS_TEV, EVENTS_PATH, events_caps, (2, 60)))
    if device.state.recordings:
        entries.append((recording.NS_TRC, recording.RECORDING_PATH, "", (2, 60)))
        entries.append((recording.NS_TSE, recording.SEARCH_PATH, "", (2, 60)))
    services = "".join(
        f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{endpoint.http}{path}</tds:XAddr>"
        f"{caps if include else ''}<tds:Version><tt:Major>{major}</tt:Major><tt:Minor>{minor}</tt:Minor>"
        "</tds:Version></tds:Service>"
        for ns, path, caps, (major, minor) in entries
    )
    return f"<tds:GetServicesResponse>{services}</tds:GetServicesResponse>"


def _scopes(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    ident = device.identity
    items = (
        ("Fixed", "onvif://www.onvif.org/Profile/Streaming"),
        ("Fixed", "onvif://www.onvif.org/type/video_encoder"),
        ("Fixed", f"onvif://www.onvif.org/hardware/{ident.model.replace(' ', '_')}"),
        ("Fixed", f"onvif://www.onvif.org/manufacturer/{ident.manufacturer.replace(' ', '_')}"),
        ("Configurable", f"onvif://www.onvif.org/name/{device.spec.name.replace(' ', '_')}"),
        ("Configurable", f"onvif://www.onvif.org/location/{device.spec.location.replace(' ', '_')}"),
    )
    scopes = "".join(
        f"<tds:Scopes><tt:ScopeDef>{kind}</tt:ScopeDef><tt:ScopeItem>{escape(item)}</tt:ScopeItem></tds:Scopes>"
        for kind, item in items
    )
    return f"<tds:GetScopesResponse>{scopes}</tds:GetScopesResponse>"


_STREAM_NAMES = ("mainStream", "subStream")


def _encoder(stream: Stream, index: int, element: str) -> str:
    codec = (
        "<tt:H264><tt:GovLength>50</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>"
        if stream.codec == "H264"
        else ""
    )
    return (
        f'<{element} token="VideoEncoderToken_{index + 1}"><tt:Name>VideoEncoder_{index + 1}'
        f"</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>{stream.codec}</tt:Encoding><tt:Resolution>"
        f"<tt:Width>{stream.width}</tt:Width><tt:Height>{stream.height}</tt:Height></tt:Resolution>"
        f"<tt:Quality>4</tt:Quality><tt:RateControl><tt:FrameRateLimit>{stream.frame_rate}</tt:FrameRateLimit>"
        f"<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>{stream.bitrate_kbps}</tt:BitrateLimit>"
        f"</tt:RateControl>{codec}<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type>"
        "<tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port><tt:TTL>0</tt:TTL>"
        "<tt:AutoStart>false</tt:AutoStart></tt:Multicast><tt:SessionTimeout>PT60S</tt:SessionTimeout>"
        f"</{element}>"
    )


def _profile(stream: Stream, index: int) -> str:
    return (
        f'<trt:Profiles token="{escape(stream.token)}" fixed="true"><tt:Name>{_STREAM_NAMES[index]}'
        '</tt:Name><tt:VideoSourceConfiguration token="VideoSourceToken"><tt:Name>VideoSourceConfig</tt:Name>'
        "<tt:UseCount>2</tt:UseCount><tt:SourceToken>VideoSource_1</tt:SourceToken>"
        f'<tt:Bounds x="0" y="0" width="{stream.width}" height="{stream.height}"/></tt:VideoSourceConfiguration>'
        f"{_encoder(stream, index, 'tt:VideoEncoderConfiguration')}</trt:Profiles>"
    )


def _encoder_configurations(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    found = "".join(_encoder(stream, i, "trt:Configurations") for i, stream in enumerate(device.streams))
    return f"<trt:GetVideoEncoderConfigurationsResponse>{found}</trt:GetVideoEncoderConfigurationsResponse>"


def _network_protocols(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    https = device.state.https_port
    entries = (
        ("HTTP", True, endpoint.http_port),
        ("HTTPS", https is not None, https or 443),
        ("RTSP", True, endpoint.rtsp_port),
    )
    found = "".join(
        f"<tds:NetworkProtocols><tt:Name>{name}</tt:Name><tt:Enabled>{str(on).lower()}</tt:Enabled>"
        f"<tt:Port>{port}</tt:Port></tds:NetworkProtocols>"
        for name, on, port in entries
    )
    return f"<tds:GetNetworkProtocolsResponse>{found}</tds:GetNetworkProtocolsResponse>"


def _discovery_mode(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    mode = "Discoverable" if device.state.discoverable else "NonDiscoverable"
    return f"<tds:GetDiscoveryModeResponse><tds:DiscoveryMode>{mode}</tds:DiscoveryMode></tds:GetDiscoveryModeResponse>"


def _ntp(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    hosts = "".join(
        f"<tt:NTPManual><tt:Type>DNS</tt:Type><tt:DNSname>{escape(server)}</tt:DNSname></tt:NTPManual>"
        for server in device.state.ntp_servers
    )
    return (
        "<tds:GetNTPResponse><tds:NTPInformation><tt:FromDHCP>false</tt:FromDHCP>"
        f"{hosts}</tds:NTPInformation></tds:GetNTPResponse>"
    )


def _profiles(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    profiles = "".join(_profile(stream, i) for i, stream in enumerate(device.streams))
    return f"<trt:GetProfilesResponse>{profiles}</trt:GetProfilesResponse>"


def _requested_stream(device: Device, request: etree._Element) -> Stream:
    token = text_at(request, f"{{{NS_TRT}}}ProfileToken")
    for stream in device.streams:
        if stream.token == token:
            return stream
    raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", "ter:NoProfile")


def _media_uri(uri: str) -> str:
    return (
        f"<trt:MediaUri><tt:Uri>{escape(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
        "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>"
    )


def _stream_uri(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    stream = _requested_stream(device, request)
    uri = f"rtsp://{endpoint.host}:{endpoint.rtsp_port}{stream.path}"
    return f"<trt:GetStreamUriResponse>{_media_uri(uri)}</trt:GetStreamUriResponse>"


def _snapshot_uri(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    _requested_stream(device, request)
    uri = f"{endpoint.http}{device.profile.snapshot_path}"
    return f"<trt:GetSnapshotUriResponse>{_media_uri(uri)}</trt:GetSnapshotUriResponse>"


def _get_users(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    if not device.state.onvif_users:
        raise not_implemented()
    return device.accounts.get_users()


def _set_user(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    if not device.state.onvif_users:
        raise not_implemented()
    try:
        return device.accounts.set_user(request, SetUserFault(device.state.set_user_fault))
    except UserFault as fault:
        raise SoapFault(400, "env:Sender", fault.subcode, fault.reason) from None


def _found(answer: str | None, what: str) -> str:
    if answer is None:
        raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", f"No such {what}")
    return answer


def _job_state(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    job = text_at(request, f"{{{recording.NS_TRC}}}JobToken")
    return _found(recording.get_recording_job_state(device.state.recordings, job), "job")


def _recording_information(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    token = text_at(request, f"{{{recording.NS_TSE}}}RecordingToken")
    now = datetime.now(UTC)
    return _found(recording.get_recording_information(device.state.recordings, token, now), "recording")


def _find_events(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    now = datetime.now(UTC)
    start = recording.request_time(request, "StartPoint") or now
    device.state.event_search = (start, recording.request_time(request, "EndPoint") or now)
    return recording.search_started("FindEvents")


def _event_results(device: Device, endpoint: Endpoint, request: etree._Element) -> str:
    now = datetime.now(UTC)
    start, end = device.state.event_search or (now, now)
    return recording.event_search_results(device.state.recordings, start, end)


_Answer = Callable[[Device, Endpoint, etree._Element], str]

# (service, operation) -> (answer, pre-auth). Only GetSystemDateAndTime is answered without a token: clients need
# the device clock before they can sign a token (ONVIF Core, access class PRE_AUTH).
_OPERATIONS: dict[tuple[str, str], tuple[_Answer, bool]] = {
    ("device", "GetSystemDateAndTime"): (_system_date_and_time, True),
    ("device", "GetDeviceInformation"): (_device_information, False),
    ("device", "GetNetworkInterfaces"): (_network_interfaces, False),
    ("device", "GetCapabilities"): (_capabilities, False),
    ("device", "GetServices"): (_services, False),
    ("device", "GetScopes"): (_scopes, False),
    ("device", "GetUsers"): (_get_users, False),
    ("device", "SetUser"): (_set_user, False),
    ("device", "GetNetworkProtocols"): (_network_protocols, False),
    ("device", "GetDiscoveryMode"): (_discovery_mode, False),
    ("device", "GetNTP"): (_ntp, False),
    ("media", "GetVideoEncoderConfigurations"): (_encoder_configurations, False),
    ("media", "GetProfiles"): (_profiles, False),
    ("media", "GetStreamUri"): (_stream_uri, False),
    ("media", "GetSnapshotUri"): (_snapshot_uri, False),
    ("recording", "GetRecordings"): (lambda d, e, r: recording.get_recordings(d.state.recordings), False),
    ("recording", "GetRecordingJobs"): (lambda d, e, r: recording.get_recording_jobs(d.state.recordings), False),
    ("recording", "GetRecordingJobState"): (_job_state, False),
    ("search", "GetRecordingSummary"): (
        lambda d, e, r: recording.get_recording_summary(d.state.recordings, datetime.now(UTC)),
        False,
    ),
    ("search", "FindRecordings"): (lambda d, e, r: recording.search_started("FindRecordings"), False),
    ("search", "GetRecordingSearchResults"): (
        lambda d, e, r: recording.recording_search_results(d.state.recordings, datetime.now(UTC)),
        False,
    ),
    ("search", "GetRecordingInformation"): (_recording_information, False),
    ("search", "FindEvents"): (_find_events, False),
    ("search", "GetEventSearchResults"): (_event_results, False),
}
