"""One simulated camera on the network: its web server, RTSP responder and SNMP agent, and fault injection."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from simulator.device import Device
from simulator.events import Event, Topic, event, state_events
from simulator.httpd import CameraWebServer
from simulator.mib import DISK_STORIES
from simulator.rtsp import RtspServer
from simulator.snmp import SnmpAgent
from simulator.soap import Endpoint
from simulator.state import DeviceState, ImageState
from simulator.users import SetUserFault


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number >= 0, got {value!r}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value


def _frame_rate(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 120:
        raise ValueError(f"expected a whole number of frames per second from 1 to 120, got {value!r}")
    return value


def _servers(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > 8:
        raise ValueError(f"expected a list of at most 8 host names, got {value!r}")
    return [_text(server) for server in value]


def _image(value: Any) -> ImageState:
    try:
        return ImageState(value)
    except ValueError:
        raise ValueError(f"expected one of {', '.join(ImageState)}, got {value!r}") from None


def _disks(value: Any) -> str:
    if value not in DISK_STORIES:
        raise ValueError(f"expected one of {', '.join(DISK_STORIES)}, got {value!r}")
    return str(value)


def _trap_to(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected HOST:PORT on loopback or an empty string, got {value!r}")
    if value:
        trap_destination(value)
    return value


def trap_destination(text: str) -> tuple[str, int]:
    """``127.0.0.1:1162`` as an address; the simulator sends nothing off loopback."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"{host} is not a loopback address")
    return host, int(port)


def _seconds(value: Any) -> float:
    number = _number(value)
    if number < 0:
        raise ValueError(f"expected a number of seconds >= 0, got {value!r}")
    return number


def _scale(value: Any) -> float:
    number = _number(value)
    if number <= 0:
        raise ValueError(f"expected a number > 0, got {value!r}")
    return number


def _ports(value: Any) -> list[int]:
    if not isinstance(value, list) or len(value) > 512 or not all(_count(port) > 0 for port in value):
        raise ValueError(f"expected a list of port numbers (ifIndex), got {value!r}")
    return sorted(set(value))


def _percent(value: Any) -> int:
    if _count(value) > 100:
        raise ValueError(f"expected a whole number from 0 to 100, got {value!r}")
    return int(value)


def _set_user_fault(value: Any) -> str:
    try:
        return SetUserFault(value).value
    except ValueError:
        choices = ", ".join(repr(f.value) for f in SetUserFault)
        raise ValueError(f"expected one of {choices}, got {value!r}") from None


# Run-time settings and how each is checked (the control API passes JSON values straight through).
_SETTABLE: dict[str, Callable[[Any], Any]] = {
    "offline": _flag,
    "rtsp_down": _flag,
    "stream_mismatch": _flag,
    "latency_ms": _count,
    "reject_auth": _flag,
    "basic_only": _flag,
    "clock_offset_s": _number,
    "firmware": _text,
    "temperature_c": _number,
    "storage_failed": _flag,
    "disks": _disks,
    "if_in_errors": _count,
    "image": _image,
    "frame_rate": _frame_rate,
    "discoverable": _flag,
    "ntp_servers": _servers,
    "events": _flag,
    "event_termination_scale": _scale,
    "events_cancel_all": _flag,
    "events_pull_hangs": _flag,
    "events_pull_cap_s": _seconds,
    "events_pull_max_s": _seconds,
    "events_subscribe_delay_s": _seconds,
    "event_flood": _count,
    "trap_to": _trap_to,
    "lockout_after": _count,
    "lockout_s": _scale,
    "set_user_fault": _set_user_fault,
    "onvif_users": _flag,
    "isapi": _flag,
    "ports_down": _ports,
    "poe_off": _ports,
    "on_battery": _flag,
    "battery_charge": _percent,
}
# Events a second at most in a flood (the simulator's own CPU is shared with what it simulates).
_MAX_FLOOD = 5000
_FLOOD_STEP_S = 0.02


def _coerce(name: str, value: Any) -> Any:
    check = _SETTABLE.get(name)
    if check is None:
        raise ValueError(f"{name}: unknown setting (settable: {', '.join(_SETTABLE)})")
    try:
        return check(value)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


class SimulatedCamera:
    """A device you can poll, and change while it runs."""

    def __init__(self, device: Device) -> None:
        spec = device.spec
        self.device = device
        self.web = CameraWebServer(device, Endpoint(spec.host, spec.onvif_port, spec.rtsp_port))
        self.rtsp = RtspServer(device, spec.host, spec.rtsp_port)
        self.snmp = SnmpAgent(device, spec.host, spec.snmp_port)
        # HTTPS and RTSPS listeners, once serve_tls gave them a certificate.
        self.tls: list[CameraWebServer | RtspServer] = []
        self._comeback: asyncio.Task[None] | None = None
        self._flood: asyncio.Task[None] | None = None
        # Told after every change of state, so the network can follow (simulator/network.py; set by the fleet).
        self.changed: Callable[[], Awaitable[None]] | None = None

    @property
    def name(self) -> str:
        """The camera's fleet name."""
        return self.device.spec.name

    @property
    def state(self) -> DeviceState:
        """Run-time condition (read it; change it through `update`)."""
        return self.device.state

    async def start(self) -> None:
        """Open the sockets its current state calls for."""
        if self.state.offline or self.state.dark:
            return
        await self.web.start()
        await self.snmp.start()
        if self.state.event_flood and self._flood is None:
            self._flood = asyncio.create_task(self._flooding())
        if not self.state.rtsp_down:
            await self.rtsp.start()
        for server in self.tls:
            await server.start()

    async def stop(self) -> None:
        """Close every socket and drop every connection."""
        await self._stop_flood()
        await self.web.stop()
        await self.rtsp.stop()
        await self.snmp.stop()
        for server in self.tls:
            await server.stop()

    async def close(self) -> None:
        """Stop, including a pending return from a reboot."""
        await self._cancel_comeback()
        await self.stop()

    async def update(self, **changes: Any) -> None:
        """Change run-time settings (see `_SETTABLE`); all are validated before any is applied."""
        clean = {name: _coerce(name, value) for name, value in changes.items()}
        if clean.get("event_flood", 0) > _MAX_FLOOD:
            raise ValueError(f"event_flood: at most {_MAX_FLOOD} events a second")
        before = {name: getattr(self.state, name) for name in clean}
        for name, value in clean.items():
            setattr(self.state, name, value)
        for raised in state_events(before, clean, self.state.device_time()):
            self.device.events.publish(raised)
        if "event_flood" in clean:
            await self._stop_flood()
            if self.state.event_flood and not self.state.offline:
                self._flood = asyncio.create_task(self._flooding())
        if "offline" in clean or "rtsp_down" in clean:
            if self.state.offline:
                await self.stop()
            else:
                await self.start()
                if self.state.rtsp_down:
                    await self.rtsp.stop()
        if self.changed is not None:
            await self.changed()

    async def serve_tls(
        self, certificate_pem: bytes, key_pem: bytes, *, https_port: int | None = None, rtsps_port: int | None = None
    ) -> None:
        """Serve the web service over HTTPS and/or RTSP over TLS with this certificate (made by the caller: nothing
        private is kept in the repository), instead of any served before; GetNetworkProtocols names the HTTPS port."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        # An old camera's certificate (a 1024-bit key, SHA-1) must load: OpenSSL's security level 0.
        context.set_ciphers("ALL:@SECLEVEL=0")
        with tempfile.TemporaryDirectory() as folder:
            cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
            cert.write_bytes(certificate_pem)
            key.write_bytes(key_pem)
            context.load_cert_chain(cert, key)
        for server in self.tls:
            await server.stop()
        spec = self.device.spec
        self.tls = []
        if https_port is not None:
            self.tls.append(CameraWebServer(self.device, Endpoint(spec.host, https_port, spec.rtsp_port), context))
        if rtsps_port is not None:
            self.tls.append(RtspServer(self.device, spec.host, rtsps_port, context))
        self.state.https_port, self.state.rtsps_port = https_port, rtsps_port
        if not self.state.offline:
            for server in self.tls:
                await server.start()

    def send_trap(self, name: str, extra: Sequence[tuple[tuple[int, ...], Any]] = ()) -> bool:
        """Send the trap ``name`` (see simulator.snmp.TRAPS, with `extra` varbinds) to ``trap_to``; whether one was
        sent."""
        if not self.state.trap_to or self.state.offline or self.state.dark:
            return False
        self.snmp.send_trap(trap_destination(self.state.trap_to), name, extra)
        return True

    def raise_event(self, topic: Topic, state: bool, source: str | None = None) -> Event:
        """Raise one event now (a digital input, a hardware alarm, ...) for every subscriber."""
        raised = event(topic, state, self.state.device_time(), source)
        self.device.events.publish(raised)
        return raised

    async def _flooding(self) -> None:
        """Raise ``event_flood`` motion events a second, in small steps, until the setting goes back to 0."""
        loop = asyncio.get_running_loop()
        started, sent = loop.time(), 0
        while self.state.event_flood:
            await asyncio.sleep(_FLOOD_STEP_S)
            due = int((loop.time() - started) * self.state.event_flood)
            for n in range(sent, due):
                self.raise_event(Topic.MOTION, n % 2 == 0)
            sent = due

    async def _stop_flood(self) -> None:
        flood, self._flood = self._flood, None
        if flood is not None:
            flood.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flood

    async def reboot(self, downtime_s: float = 0.0) -> None:
        """Restart: connections drop, uptime starts again, subscriptions are gone; with downtime, unreachable for
        that long."""
        if await self._cancel_comeback():
            # The camera is offline for the reboot being cancelled, not because it was told to be.
            self.state.offline = False
        if downtime_s <= 0:
            await self.power_on()
            if self.changed is not None:
                await self.changed()
            return
        await self.stop()
        self.device.events.drop_all()
        self.state.offline = True
        if self.changed is not None:
            await self.changed()

        async def come_back() -> None:
            await asyncio.sleep(downtime_s)
            self.state.reboot()
            await self.update(offline=False)
            self.send_trap("coldStart")

        self._comeback = asyncio.create_task(come_back())

    async def _cancel_comeback(self) -> bool:
        """Cancel a pending return from a reboot and wait until it has stopped; whether one was pending."""
        comeback, self._comeback = self._comeback, None
        if comeback is None or comeback.done():
            return False
        comeback.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await comeback
        return True

    async def power_on(self) -> None:
        """Boot: uptime from zero, one more boot, sockets opened, a coldStart trap."""
        await self.stop()
        self.device.events.drop_all()
        self.state.reboot()
        await self.start()
        self.send_trap("coldStart")

    def describe(self) -> dict[str, Any]:
        """JSON-ready view: address, identity, state and poll counters."""
        spec, ident, state = self.device.spec, self.device.reported, self.state
        settings = {f.name: getattr(state, f.name) for f in fields(state) if f.name in _SETTABLE}
        return {
            "name": spec.name,
            "host": spec.host,
            "onvif_port": spec.onvif_port,
            "rtsp_port": spec.rtsp_port,
            "snmp_port": spec.snmp_port,
            "profile": self.device.profile.key,
            "identity": {
                "manufacturer": ident.manufacturer,
                "model": ident.model,
                "firmware": ident.firmware,
                "serial": ident.serial,
                "hardware_id": ident.hardware_id,
                "mac": ident.mac,
            },
            "state": settings
            | {"uptime_s": round(state.uptime_s(), 1), "boots": state.boots, "dark": state.dark}
            | {"unpowered": state.unpowered},
            "counters": self.device.counters.as_dict(),
            "events": self.device.events.as_dict(),
            "accounts": self.device.accounts.as_dict(),
        }
