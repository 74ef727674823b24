"""One simulated camera as data: who it is, what state it is in, what it has been asked."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field

from simulator import httpauth
from simulator.events import EventBroker, InFlight
from simulator.images import SceneCache, Snapshotter
from simulator.profiles import Identity, VendorProfile, derive_identity, profile_for
from simulator.spec import CameraSpec
from simulator.state import DeviceState, PollCounters
from simulator.users import Accounts


@dataclass(frozen=True, slots=True)
class Stream:
    """One media profile: its ONVIF token, RTSP path, codec and picture size."""

    token: str
    path: str
    codec: str
    width: int
    height: int
    bitrate_kbps: int
    frame_rate: int = 25


@dataclass
class Device:
    """The protocol-independent half of a simulated camera."""

    spec: CameraSpec
    profile: VendorProfile
    identity: Identity
    state: DeviceState
    snapshotter: Snapshotter
    counters: PollCounters = field(default_factory=PollCounters)
    events: EventBroker = field(default_factory=EventBroker)
    # CreatePullPointSubscription requests being answered; one shared by all cameras of a SimulatedFleet.
    subscribing: InFlight = field(default_factory=InFlight)
    accounts: Accounts = field(default_factory=Accounts)

    @classmethod
    def create(cls, spec: CameraSpec, scenes: SceneCache) -> Device:
        """Resolve the vendor profile and derive the identity for one fleet row."""
        profile = profile_for(spec)
        identity = derive_identity(spec, profile)
        seed = int.from_bytes(hashlib.sha256(spec.name.encode()).digest()[:8], "big")
        state = DeviceState(firmware=identity.firmware)
        accounts = Accounts.of(spec.username, spec.password)
        return cls(spec, profile, identity, state, Snapshotter(scenes, seed), accounts=accounts)

    @property
    def firmware(self) -> str:
        """The firmware now running (changed by an upgrade at run time)."""
        return self.state.firmware

    @property
    def reported(self) -> Identity:
        """The identity with the current firmware."""
        ident = self.identity
        return Identity(ident.manufacturer, ident.model, self.firmware, ident.serial, ident.hardware_id, ident.mac)

    @property
    def streams(self) -> tuple[Stream, Stream]:
        """Main and sub stream."""
        main_w, main_h = self.profile.main_resolution
        main_token, sub_token = self.profile.profile_tokens
        main_path, sub_path = self.profile.rtsp_paths
        return (
            Stream(main_token, main_path, self.profile.main_codec, main_w, main_h, 4096, self.state.frame_rate),
            Stream(sub_token, sub_path, "H264", 640, 360, 512),
        )

    @property
    def snmp_engine_id(self) -> bytes:
        """RFC 3411 engine ID: enterprise-based, format 3 (MAC address)."""
        enterprise = self.profile.enterprise or 8072
        return bytes(
            [
                0x80 | (enterprise >> 24 & 0x7F),
                enterprise >> 16 & 0xFF,
                enterprise >> 8 & 0xFF,
                enterprise & 0xFF,
                3,
            ]
        ) + bytes.fromhex(self.identity.mac.replace(":", ""))

    @property
    def realm(self) -> str:
        """HTTP and RTSP authentication realm."""
        return self.identity.manufacturer

    def accepts_login(self, authorization: str, method: str) -> bool:
        """HTTP/RTSP login: `reject_auth` refuses everyone; a camera without credentials is open to all; a
        `basic_only` camera takes nothing but Basic. Every Authorization header is counted by its scheme."""
        scheme = authorization.partition(" ")[0].lower()
        if scheme:
            self.counters.logins[scheme] += 1
        if self.state.reject_auth:
            return False
        if not self.spec.has_credentials:
            return True
        if self.state.basic_only and scheme != "basic":
            return False
        password = self.accounts.password_of(self.spec.username) or ""
        return httpauth.authorised(authorization, method, self.realm, self.spec.username, password)

    async def delay(self) -> None:
        """The injected response latency."""
        if self.state.latency_ms > 0:
            await asyncio.sleep(self.state.latency_ms / 1000)
