"""WS-Discovery probes, only inside a network namespace the test makes: the simulated cameras' answers are found,
hostile answers are refused one by one, and nothing leaves for an interface not named."""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from collections.abc import Iterator

import pytest

from collectors import wsdiscovery
from collectors.errors import BadResponse, Unreachable
from simulator.wsdiscovery import Advertised, matches, respond
from tests.peers.netns import DEVICES, PROBER, namespace, run_inside

CAMERAS = tuple(
    Advertised(f"urn:uuid:00000000-0000-4000-8000-00000000000{n}", (f"http://{DEVICES[0]}:8{n}/onvif/device_service",))
    for n in range(1, 4)
)
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
    b"<lolz>&lol2;</lolz>"
)


@pytest.fixture(scope="module")
def netns() -> Iterator[str]:
    with namespace() as name:
        yield name


class _Hostile(asyncio.DatagramProtocol):
    """From the second device address: answers each probe with a bomb, garbage, a stranger's answer and a flood."""

    def __init__(self, out: socket.socket) -> None:
        self.out = out

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        to = (str(addr[0]), int(str(addr[1])))
        for answer in (BOMB, b"\x00garbage", matches(CAMERAS[0], "uuid:not-yours"), b"<a>" + b"x" * 20000 + b"</a>"):
            self.out.sendto(answer, to)


async def _hostile() -> tuple[asyncio.BaseTransport, socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((wsdiscovery.GROUP, wsdiscovery.PORT))
    membership = struct.pack("4s4s", socket.inet_aton(wsdiscovery.GROUP), socket.inet_aton(DEVICES[0]))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out.bind((DEVICES[1], 0))
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(lambda: _Hostile(out), sock=sock)
    return transport, out


def test_a_probe_finds_the_simulated_cameras_and_refuses_hostile_answers(netns: str) -> None:
    async def scenario() -> tuple[wsdiscovery.ProbeResult, wsdiscovery.ProbeResult, float]:
        responder = await respond(DEVICES[0], CAMERAS)
        hostile, out = await _hostile()
        try:
            started = time.monotonic()
            by_name = await wsdiscovery.probe("wsd0", wait=1.0, max_matches=100)
            took = time.monotonic() - started
            by_address = await wsdiscovery.probe(PROBER, wait=1.0, max_matches=2)
        finally:
            responder.close()
            hostile.close()
            out.close()
        return by_name, by_address, took

    by_name, by_address, took = run_inside(netns, scenario)
    assert sorted(m.endpoint for m in by_name.matches) == [c.endpoint for c in CAMERAS]
    first = next(m for m in by_name.matches if m.endpoint == CAMERAS[0].endpoint)
    assert first.address == DEVICES[0] and first.xaddrs == CAMERAS[0].xaddrs
    assert "onvif://www.onvif.org/type/video_encoder" in first.scopes
    assert first.types == ("dn:NetworkVideoTransmitter",)
    # The second address said four hostile things; the first refusal is kept, and no answer of it counted.
    assert set(by_name.refused) == {DEVICES[1]} and "DTD" in by_name.refused[DEVICES[1]]
    assert took < 3.0
    assert len(by_address.matches) == 2  # bounded, whatever answers


def test_an_unknown_interface_is_refused_before_anything_is_sent(netns: str) -> None:
    async def scenario() -> None:
        await wsdiscovery.probe("nosuch0", wait=0.1, max_matches=1)

    with pytest.raises(Unreachable, match="no network interface named nosuch0"):
        run_inside(netns, scenario)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (BOMB, "DTD"),
        (b"not xml", "not well-formed"),
        (matches(CAMERAS[0], "uuid:other"), "does not relate"),
        (matches(Advertised("", ()), "uuid:me"), "endpoint reference"),
        (matches(Advertised("urn:x", tuple(f"http://h/{n}" for n in range(40))), "uuid:me"), "too many"),
        (b" " * (wsdiscovery.MAX_ANSWER + 1), "over the limit"),
    ],
)
def test_answers_that_are_not_a_match_to_our_probe_are_refused(answer: bytes, reason: str) -> None:
    with pytest.raises(BadResponse, match=reason):
        wsdiscovery.read_matches(answer, DEVICES[0], "uuid:me")
