"""Reachability against real listening and closed ports."""

from __future__ import annotations

from collectors import Collectors, ReachabilityObservation, Unreachable
from config.checks import CheckKind
from tests.collectors.conftest import CLOSED_HOST, PELCO_HOST, make_target
from tests.peers.onvif_replay import OnvifReplayCamera


async def test_open_onvif_port_and_closed_rtsp_port(collectors: Collectors, pelco: OnvifReplayCamera) -> None:
    result = await collectors.run(CheckKind.REACHABILITY, make_target(host=PELCO_HOST, rtsp_port=8554))
    assert result.ok
    assert isinstance(result.observation, ReachabilityObservation)
    assert result.observation.onvif_port_open
    assert not result.observation.rtsp_port_open
    assert result.observation.connect_ms is not None and result.observation.connect_ms < 500


async def test_both_ports_open(collectors: Collectors, pelco: OnvifReplayCamera) -> None:
    # The replay camera's HTTP port stands in for an RTSP listener: only the TCP accept matters.
    result = await collectors.run(CheckKind.REACHABILITY, make_target(host=PELCO_HOST, rtsp_port=pelco.port))
    assert isinstance(result.observation, ReachabilityObservation)
    assert result.observation.rtsp_port_open


async def test_closed_onvif_port_is_unreachable(collectors: Collectors) -> None:
    result = await collectors.run(CheckKind.REACHABILITY, make_target(host=CLOSED_HOST))
    assert not result.ok
    assert isinstance(result.error, Unreachable)
    assert "8080" in result.error.message and "RTSP port 8554 closed" in result.error.message
