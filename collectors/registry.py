"""The collectors' lifecycle, the registry by check kind, and run_check with its hard time limit."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import aiohttp
from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

from collectors.accounts import AccountTransport
from collectors.base import CheckResult, Collector, Observation, Target
from collectors.errors import CollectorError, Timeout
from collectors.http import CappedZeepTransport, new_session
from collectors.image import ImageCollector
from collectors.isapi_users import IsapiAccounts
from collectors.networks import Confined, checked_host
from collectors.onvif_health import OnvifHealthCollector
from collectors.onvif_identity import OnvifIdentityCollector, warm_wsdl_cache
from collectors.onvif_users import OnvifAccounts
from collectors.profiles import MediaProfiles
from collectors.reachability import ReachabilityCollector
from collectors.recording import RecordingCollector
from collectors.security import SecurityCollector
from collectors.snmp import SnmpCollector
from collectors.snmp_walk import Row, WalkLimits, walk
from collectors.snmp_wire import SnmpV2cClient
from collectors.stream import StreamCollector
from config.checks import CheckKind
from config.networks import IpNetwork
from config.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# A 1080p JPEG is 0.2–1 MB, a 4K one up to about 4 MB: room for both, not for a camera streaming forever.
DEFAULT_MAX_SNAPSHOT_BYTES = 8 * 1024 * 1024
# SNMPv3 goes through pysnmp's engine, which has one socket with the system's default receive
# buffer: at about 200 answers in flight it overflows, so keep well below that.
_V3_IN_FLIGHT = 64


class Collectors:
    """Shared resources for every collector (HTTP connector, SNMP sockets and engine, parsed WSDLs).

    async with Collectors(device_timeout=10.0) as collectors:
        result = await collectors.run(CheckKind.SNMP, target)
    """

    def __init__(
        self,
        device_timeout: float = 10.0,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_connections: int = 2000,
        max_snapshot_bytes: int = DEFAULT_MAX_SNAPSHOT_BYTES,
        thumbnail_width: int | None = None,
        allowed_networks: Sequence[IpNetwork] = (),
        https_ports: Sequence[int] = (443,),
        rtsps_ports: Sequence[int] = (322,),
    ) -> None:
        self.device_timeout = device_timeout
        # Empty: any host; otherwise every check resolves and checks the host first (collectors.networks).
        self.allowed_networks = tuple(allowed_networks)
        self.max_body_bytes = max_body_bytes
        self._max_connections = max_connections
        self._max_snapshot_bytes = max_snapshot_bytes
        self._thumbnail_width = thumbnail_width
        self._tls_ports = (tuple(https_ports), tuple(rtsps_ports))
        self._registry: dict[CheckKind, Collector] = {}
        # The media profiles the stream and image checks share (set on entering, with the identity collector).
        self.profiles: MediaProfiles
        # Device accounts for password rotation: ONVIF (GetUsers, SetUser), and ISAPI where ONVIF has no user
        # service; set on entering.
        self.accounts: OnvifAccounts
        self.isapi_accounts: IsapiAccounts
        self._connector: aiohttp.TCPConnector | None = None
        self._session: aiohttp.ClientSession | None = None
        self._v2c: SnmpV2cClient | None = None
        self._engine: SnmpEngine | None = None
        self._snmp: SnmpCollector

    async def __aenter__(self) -> Collectors:
        # force_close: a fleet round touches thousands of cameras once each; idle keep-alive
        # sockets would only pile up (and camera firmwares handle keep-alive poorly).
        self._connector = aiohttp.TCPConnector(limit=self._max_connections, force_close=True)
        self._session = new_session(self._connector, self.device_timeout)
        self._v2c = SnmpV2cClient()
        self._engine = SnmpEngine()
        # Parse the WSDLs once now: the library caches them only after a load completes, so
        # cameras set up at the same instant would each parse them.
        await warm_wsdl_cache()
        snmp_attempt = self.device_timeout / 2.0
        transport = CappedZeepTransport(self._session, self.max_body_bytes)
        identity = OnvifIdentityCollector(transport)
        self.profiles = MediaProfiles(identity.main_profile)
        self.accounts = OnvifAccounts(
            CappedZeepTransport(self._session, self.max_body_bytes),
            device_timeout=self.device_timeout,
            allowed_networks=self.allowed_networks,
        )
        self.isapi_accounts = IsapiAccounts(
            self._session,
            device_timeout=self.device_timeout,
            max_body_bytes=self.max_body_bytes,
            allowed_networks=self.allowed_networks,
        )
        self._snmp = SnmpCollector(
            self._v2c, self._engine, asyncio.Semaphore(_V3_IN_FLIGHT), attempt_timeout=snmp_attempt
        )
        collectors: list[Collector] = [
            ReachabilityCollector(connect_timeout=self.device_timeout),
            OnvifHealthCollector(self.max_body_bytes),
            identity,
            self._snmp,
            StreamCollector(self.profiles),
            RecordingCollector(transport),
            ImageCollector(
                self._session,
                self.profiles,
                max_bytes=self._max_snapshot_bytes,
                thumbnail_width=self._thumbnail_width,
            ),
            # The TLS handshakes run together after the ONVIF calls: each gets a third of the check's time.
            SecurityCollector(
                transport,
                probe_timeout=self.device_timeout / 3,
                https_ports=self._tls_ports[0],
                rtsps_ports=self._tls_ports[1],
            ),
        ]
        if self.allowed_networks:
            collectors = [Confined(collector, self.allowed_networks) for collector in collectors]
        self._registry = {collector.kind: collector for collector in collectors}
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
        if self._connector is not None:
            await self._connector.close()
        if self._v2c is not None:
            self._v2c.close()
        if self._engine is not None:
            self._engine.close_dispatcher()
        self._registry = {}

    @classmethod
    def for_settings(cls, settings: Settings) -> Collectors:
        """Collectors with the time limit and image options of the settings."""
        image = settings.image
        return cls(
            device_timeout=settings.scheduler.device_timeout.total_seconds(),
            max_snapshot_bytes=image.max_snapshot_bytes,
            thumbnail_width=image.thumbnail_width if image.reference_thumbnail else None,
            allowed_networks=settings.cameras.allowed_networks,
            https_ports=settings.hygiene.https_ports,
            rtsps_ports=settings.hygiene.rtsps_ports,
        )

    @property
    def account_transports(self) -> tuple[AccountTransport, ...]:
        """The ways to a device's accounts, in the order rotation tries them: ONVIF first, then the vendor's own."""
        return (self.accounts, self.isapi_accounts)

    def __getitem__(self, kind: CheckKind) -> Collector:
        """Return the collector for kind (KeyError outside the async with block)."""
        return self._registry[kind]

    async def walk(
        self, target: Target, roots: Sequence[str], limits: WalkLimits | None = None
    ) -> dict[str, list[Row]]:
        """Walk SNMP tables of a device (a switch's ports, a recorder's disks), each root's rows in OID order;
        raise a CollectorError (a hostile or endless agent is BadResponse or Timeout, see collectors.snmp_walk)."""
        if self.allowed_networks:
            target = replace(target, host=await checked_host(target.host, self.allowed_networks))
        return await walk(self._snmp, target, roots, limits or WalkLimits())

    async def run(self, kind: CheckKind, target: Target) -> CheckResult:
        """Run one check of kind against target with the per-device time limit."""
        return await run_check(self[kind], target, self.device_timeout)


def _secrets(target: Target) -> list[str]:
    values = [target.password]
    if target.snmp is not None:
        values += [target.snmp.community, target.snmp.auth_key, target.snmp.priv_key]
    return [value for value in values if value]


def _masked(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "***")
        return value
    if isinstance(value, list | tuple):
        return [_masked(item, secrets) for item in value]
    return value


def _without_secrets(error: CollectorError, target: Target) -> CollectorError:
    """Return error with any credential of target masked (devices can echo what we sent), evidence included."""
    secrets = _secrets(target)
    message = _masked(error.message, secrets)
    evidence = {key: _masked(value, secrets) for key, value in error.evidence.items()}
    if message == error.message and evidence == error.evidence:
        return error
    return type(error)(message, evidence=evidence)


async def run_check(collector: Collector, target: Target, timeout: float) -> CheckResult:
    """Run collector against target within timeout; every failure becomes a failed CheckResult.

    Only cancellation of the caller escapes.
    """
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    observation: Observation | None = None
    error: CollectorError | None = None
    try:
        async with asyncio.timeout(timeout):
            observation = await collector.collect(target)
    except TimeoutError:
        error = Timeout(f"no complete answer within {timeout:g} s")
    except CollectorError as exc:
        error = _without_secrets(exc, target)
    except Exception as exc:
        log.exception("%s: %s check raised an unexpected %s", target.name, collector.kind, type(exc).__name__)
        error = CollectorError(f"internal error in the {collector.kind} collector ({type(exc).__name__})")
    duration = time.perf_counter() - started
    if error is not None:
        log.debug("%s: %s check failed: %s: %s", target.name, collector.kind, type(error).__name__, error.message)
    return CheckResult(
        kind=collector.kind,
        target_name=target.name,
        ok=error is None,
        observation=observation,
        error=error,
        started_at=started_at,
        duration_s=duration,
    )
