"""A WS-Discovery target service for simulated cameras: it answers Probes for video transmitters, nothing else.

It joins the WS-Discovery group on one interface address and answers each Probe (for NetworkVideoTransmitter, or
for any type) with one ProbeMatches per camera, unicast to the prober. It never sends multicast (no Hello, no Bye)
and is meant to run only inside a network namespace of its own (the tests make one): the simulated fleet on
loopback does no WS-Discovery.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from simulator.soap import PARSER

GROUP = "239.255.255.250"
PORT = 3702
_D = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
_A = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
_TRANSMITTER = "NetworkVideoTransmitter"


@dataclass(frozen=True, slots=True)
class Advertised:
    """What one simulated camera says of itself."""

    endpoint: str  # urn:uuid:…
    xaddrs: tuple[str, ...]
    scopes: tuple[str, ...] = ("onvif://www.onvif.org/type/video_encoder", "onvif://www.onvif.org/name/camfleet-sim")


def _probe_id(datagram: bytes) -> str | None:
    """The MessageID of a Probe for video transmitters (or any type), else None."""
    try:
        root = etree.fromstring(datagram, parser=PARSER)
    except etree.XMLSyntaxError:
        return None
    probe = root.find(f".//{{{_D}}}Probe")
    message_id = root.findtext(f".//{{{_A}}}MessageID")
    if probe is None or not message_id:
        return None
    types = (probe.findtext(f"{{{_D}}}Types") or "").split()
    if types and not any(t.rsplit(":", 1)[-1] == _TRANSMITTER for t in types):
        return None
    return str(message_id).strip()


def matches(camera: Advertised, relates_to: str) -> bytes:
    """A ProbeMatches answering the probe ``relates_to``."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="{_A}" xmlns:d="{_D}" '
        'xmlns:dn="http://www.onvif.org/ver10/network/wsdl">'
        f"<s:Header><a:MessageID>uuid:{uuid.uuid4()}</a:MessageID><a:RelatesTo>{escape(relates_to)}</a:RelatesTo>"
        f"<a:To>{_A}/role/anonymous</a:To><a:Action>{_D}/ProbeMatches</a:Action></s:Header>"
        "<s:Body><d:ProbeMatches><d:ProbeMatch>"
        f"<a:EndpointReference><a:Address>{escape(camera.endpoint)}</a:Address></a:EndpointReference>"
        "<d:Types>dn:NetworkVideoTransmitter</d:Types>"
        f"<d:Scopes>{escape(' '.join(camera.scopes))}</d:Scopes>"
        f"<d:XAddrs>{escape(' '.join(camera.xaddrs))}</d:XAddrs>"
        "<d:MetadataVersion>1</d:MetadataVersion>"
        "</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>"
    ).encode()


class _Responder(asyncio.DatagramProtocol):
    def __init__(self, cameras: tuple[Advertised, ...], out: socket.socket) -> None:
        self.cameras = cameras
        self.out = out  # bound to the interface's address: answers come from the device, not the group
        self.answered: set[str] = set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.out.close()

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        message_id = _probe_id(data)
        # A repeated Probe (same MessageID) is answered once.
        if message_id is None or message_id in self.answered:
            return
        self.answered.add(message_id)
        for camera in self.cameras:
            self.out.sendto(matches(camera, message_id), (str(addr[0]), int(str(addr[1]))))


async def respond(interface_address: str, cameras: tuple[Advertised, ...]) -> asyncio.DatagramTransport:
    """Answer Probes arriving on the interface with ``interface_address`` until the transport is closed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((GROUP, PORT))
    membership = struct.pack("4s4s", socket.inet_aton(GROUP), socket.inet_aton(interface_address))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    sock.setblocking(False)
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out.bind((interface_address, 0))
    responder = _Responder(cameras, out)
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(lambda: responder, sock=sock)
    return transport
