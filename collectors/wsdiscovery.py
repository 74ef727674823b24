"""WS-Discovery: a Probe for ONVIF video transmitters multicast on one interface, and the ProbeMatches it draws.

Why not the WSDiscovery package (PyPI `wsdiscovery` 2.1): it is a threaded daemon that joins the multicast group
and re-reads the machine's addresses every few seconds to send on all of them, where camfleet must send on the
interfaces a person listed and nothing else; it parses answers with xml.dom.minidom rather than our parser without
DTDs or entities (collectors/safe_xml.py), and bounds neither how much nor how many answers it keeps. A Probe is one
datagram out and some in: this module sends it (twice, as SOAP-over-UDP repeats multicast) from a socket of its own
and reads each answer as the untrusted text it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import uuid
from dataclasses import dataclass, field

from lxml import etree

from collectors.errors import BadResponse, Unreachable
from collectors.safe_xml import parse_document

log = logging.getLogger(__name__)

GROUP = "239.255.255.250"
PORT = 3702
DISCOVERY = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
VIDEO_TRANSMITTER = "dn:NetworkVideoTransmitter"
# An answer is one datagram; a ProbeMatches of a camera is about 1–2 KiB.
MAX_ANSWER = 16 * 1024
# What one answer may say of itself: a few addresses and scopes, each of a sensible length.
MAX_ITEMS = 32
MAX_TEXT = 512
# Multicast repeats (SOAP-over-UDP MULTICAST_UDP_REPEAT is 2 for a Probe, spaced by at least 50 ms).
_REPEATS = 2
_REPEAT_GAP = 0.1

_PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="{a}" xmlns:d="{d}"
 xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<s:Header><a:MessageID>{message_id}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>
<a:Action>{d}/Probe</a:Action></s:Header>
<s:Body><d:Probe><d:Types>{types}</d:Types></d:Probe></s:Body></s:Envelope>"""


@dataclass(frozen=True, slots=True)
class ProbeMatch:
    """A device's answer: its endpoint reference, the address it came from, its service addresses, scopes, types."""

    endpoint: str
    address: str
    xaddrs: tuple[str, ...]
    scopes: tuple[str, ...]
    types: tuple[str, ...]


@dataclass
class ProbeResult:
    """The matches of one probe, and per address why an answer from it was refused."""

    matches: list[ProbeMatch] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def probe_message(message_id: str, types: str = VIDEO_TRANSMITTER) -> bytes:
    """The Probe datagram."""
    return _PROBE.format(a=ADDRESSING, d=DISCOVERY, message_id=message_id, types=types).encode()


def _words(element: etree._Element | None) -> tuple[str, ...]:
    if element is None or element.text is None:
        return ()
    words = element.text.split()
    if len(words) > MAX_ITEMS or any(len(w) > MAX_TEXT for w in words):
        raise BadResponse("ProbeMatch lists too many or too long items")
    return tuple(words)


def read_matches(datagram: bytes, address: str, message_id: str) -> list[ProbeMatch]:
    """The ProbeMatch entries of an answer to our probe; BadResponse for anything else."""
    if len(datagram) > MAX_ANSWER:
        raise BadResponse(f"answer of {len(datagram)} bytes is over the limit")
    root = parse_document(datagram)
    relates = root.find(f".//{{{ADDRESSING}}}RelatesTo")
    if relates is None or (relates.text or "").strip() != message_id:
        raise BadResponse("answer does not relate to our probe")
    found = root.findall(f".//{{{DISCOVERY}}}ProbeMatches/{{{DISCOVERY}}}ProbeMatch")
    if not found or len(found) > MAX_ITEMS:
        raise BadResponse("answer carries no ProbeMatch, or too many")
    matches = []
    for match in found:
        endpoint = (match.findtext(f"{{{ADDRESSING}}}EndpointReference/{{{ADDRESSING}}}Address") or "").strip()
        if not endpoint or len(endpoint) > 255:
            raise BadResponse("ProbeMatch without a usable endpoint reference")
        matches.append(
            ProbeMatch(
                endpoint=endpoint,
                address=address,
                xaddrs=_words(match.find(f"{{{DISCOVERY}}}XAddrs")),
                scopes=_words(match.find(f"{{{DISCOVERY}}}Scopes")),
                types=_words(match.find(f"{{{DISCOVERY}}}Types")),
            )
        )
    return matches


def _multicast_interface(sock: socket.socket, interface: str) -> None:
    """Send the group's datagrams out of ``interface``: an IPv4 address of this machine, or an interface name."""
    try:
        address = socket.inet_aton(interface)
    except OSError:
        try:
            index = socket.if_nametoindex(interface)
        except OSError as exc:
            raise Unreachable(f"no network interface named {interface}") from exc
        # struct ip_mreqn: group (unused here), local address (any), interface index.
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, struct.pack("4s4si", bytes(4), bytes(4), index))
        return
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, address)


class _Collector(asyncio.DatagramProtocol):
    def __init__(self, message_id: str, max_matches: int) -> None:
        self.message_id = message_id
        self.max_matches = max_matches
        self.result = ProbeResult()
        self.endpoints: set[str] = set()
        self.full = asyncio.Event()

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        address = str(addr[0])
        try:
            matches = read_matches(data, address, self.message_id)
        except BadResponse as exc:
            self.result.refused.setdefault(address, str(exc))
            return
        for match in matches:
            if match.endpoint in self.endpoints or len(self.result.matches) >= self.max_matches:
                continue
            self.endpoints.add(match.endpoint)
            self.result.matches.append(match)
        if len(self.result.matches) >= self.max_matches:
            self.full.set()

    def error_received(self, exc: Exception) -> None:
        log.debug("WS-Discovery socket error: %s", exc)


async def probe(interface: str, *, wait: float, max_matches: int, port: int = PORT) -> ProbeResult:
    """Multicast a Probe for video transmitters on ``interface`` and collect the answers for ``wait`` seconds."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        _multicast_interface(sock, interface)
        # One hop: the Probe stays on the interface's own network, as WS-Discovery intends.
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sock.bind(("0.0.0.0", 0))
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise Unreachable(f"cannot probe on {interface}: {exc}") from exc
    message_id = f"uuid:{uuid.uuid4()}"
    collector = _Collector(message_id, max_matches)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: collector, sock=sock)
    try:
        datagram = probe_message(message_id)
        for repeat in range(_REPEATS):
            transport.sendto(datagram, (GROUP, port))
            if repeat + 1 < _REPEATS:
                await asyncio.sleep(_REPEAT_GAP)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(collector.full.wait(), timeout=wait)
    finally:
        transport.close()
    log.info("WS-Discovery on %s: %d matches", interface, len(collector.result.matches))
    return collector.result
