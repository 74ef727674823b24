"""A real SNMP agent per camera: v2c by community, or v3 USM authPriv (HMAC-SHA-96 + AES-128).

One pysnmp `SnmpEngine` per camera costs about 150 ms and 1.2 MiB (measured), too much for 2,000 cameras in one
process. So each camera gets a plain asyncio datagram endpoint; pysnmp supplies the message types, the BER
codec and the RFC 3414 key localisation, and this module does the agent's dispatching and USM checks.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import os
import struct
from collections.abc import Sequence
from typing import Any, cast

from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from pyasn1.codec.ber import decoder, encoder
from pyasn1.error import PyAsn1Error
from pysnmp.proto import api, rfc1902, rfc1905
from pysnmp.proto.api import v2c
from pysnmp.proto.mpmod.rfc3412 import ScopedPDU, SNMPv3Message
from pysnmp.proto.secmod.rfc3414.localkey import hash_passphrase_sha, localize_key_sha
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

from simulator.device import Device
from simulator.mib import MibView, Oid, build_mib

_FLAG_AUTH, _FLAG_PRIV, _FLAG_REPORTABLE = 0x01, 0x02, 0x04
_USM_STATS = (1, 3, 6, 1, 6, 3, 15, 1, 1)
_UNSUPPORTED_SEC_LEVEL, _NOT_IN_TIME_WINDOW, _UNKNOWN_USER, _UNKNOWN_ENGINE, _WRONG_DIGEST = 1, 2, 3, 4, 5
_TIME_WINDOW_S = 150
_MAX_REPETITIONS = 64
_MAX_VARBINDS = 256
_DIGEST_PLACEHOLDER = b"\x04\x0c" + bytes(12)
# SNMPv2-MIB's generic traps this agent sends (RFC 3418).
TRAPS: dict[str, tuple[int, ...]] = {
    "coldStart": (1, 3, 6, 1, 6, 3, 1, 1, 5, 1),
    "warmStart": (1, 3, 6, 1, 6, 3, 1, 1, 5, 2),
    "linkDown": (1, 3, 6, 1, 6, 3, 1, 1, 5, 3),
    "linkUp": (1, 3, 6, 1, 6, 3, 1, 1, 5, 4),
}
_SYS_UPTIME, _SNMP_TRAP_OID = (1, 3, 6, 1, 2, 1, 1, 3, 0), (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)


@functools.lru_cache(maxsize=256)
def _hashed_passphrase(passphrase: str) -> bytes:
    # RFC 3414 A.2.2 stretches the passphrase over 1 MB of SHA-1; fleets reuse a few keys, so do it once per key.
    if not passphrase:
        raise ValueError("SNMPv3 needs snmp_auth_key and snmp_priv_key")
    return bytes(hash_passphrase_sha(passphrase.encode()).asOctets())


def _localized_key(passphrase: str, engine_id: bytes) -> bytes:
    return bytes(localize_key_sha(_hashed_passphrase(passphrase), rfc1902.OctetString(engine_id)).asOctets())


class SnmpAgent(asyncio.DatagramProtocol):
    """Answers GET, GETNEXT and GETBULK on the camera's address while it is online."""

    def __init__(self, device: Device, host: str, port: int) -> None:
        self.device = device
        self.host, self.port = host, port
        self.mib: MibView = build_mib(device)
        self.engine_id = device.snmp_engine_id
        spec = device.spec
        self._auth_key = _localized_key(spec.snmp_auth_key, self.engine_id) if spec.snmp_v3 else b""
        self._priv_key = _localized_key(spec.snmp_priv_key, self.engine_id)[:16] if spec.snmp_v3 else b""
        self._salt = int.from_bytes(os.urandom(8), "big")
        self._transport: asyncio.DatagramTransport | None = None
        # Set once a closed transport has let its socket go, which it does a loop step after close().
        self._unbound = asyncio.Event()
        self._report_counts = [0] * 6

    async def start(self) -> None:
        """Bind the UDP socket."""
        if self._transport is None:
            loop = asyncio.get_running_loop()
            await loop.create_datagram_endpoint(lambda: self, local_addr=(self.host, self.port))

    async def stop(self) -> None:
        """Close the UDP socket: requests go unanswered."""
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()
            await self._unbound.wait()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # noqa: D102
        self._unbound.clear()
        self._transport = cast(asyncio.DatagramTransport, transport)

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: D102
        self._unbound.set()

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:  # noqa: D102
        try:
            reply = self._respond(data)
        except (PyAsn1Error, ValueError, KeyError, IndexError, TypeError):
            reply = None  # garbage is dropped, as agents do
        if reply is None:
            return
        latency = self.device.state.latency_ms / 1000
        if latency > 0:
            asyncio.get_running_loop().call_later(latency, self._send, reply, addr)
        else:
            self._send(reply, addr)

    def send_trap(self, destination: tuple[str, int], name: str, extra: Sequence[tuple[Oid, Any]] = ()) -> None:
        """Send one SNMPv2-Trap from the camera's own address: v2c under its community, or v3 authPriv as its
        USM user (the agent is the authoritative engine of its traps); `extra` varbinds follow the trap's OID
        (linkDown and linkUp carry the port's ifIndex, ifAdminStatus and ifOperStatus)."""
        pdu = v2c.SNMPv2TrapPDU()
        v2c.apiPDU.set_defaults(pdu)
        v2c.apiPDU.set_request_id(pdu, int.from_bytes(os.urandom(3), "big"))
        uptime = rfc1902.TimeTicks(int(self.device.state.uptime_s() * 100) % 2**32)
        varbinds = [(_SYS_UPTIME, uptime), (_SNMP_TRAP_OID, rfc1902.ObjectIdentifier(TRAPS[name])), *extra]
        v2c.apiPDU.set_varbinds(pdu, varbinds)
        spec = self.device.spec
        if spec.snmp_v3:
            message_id = int.from_bytes(os.urandom(3), "big")
            data = self._encode_v3(message_id, spec.snmp_user.encode(), pdu, b"", priv=True)
        else:
            message = v2c.Message()
            v2c.apiMessage.set_defaults(message)
            v2c.apiMessage.set_community(message, spec.community)
            v2c.apiMessage.set_pdu(message, pdu)
            data = bytes(encoder.encode(message))
        self._send(data, destination)

    def _send(self, reply: bytes, addr: tuple[str | Any, int]) -> None:
        if self._transport is not None:
            self._transport.sendto(reply, addr)

    def _respond(self, data: bytes) -> bytes | None:
        version = int(api.decodeMessageVersion(data))
        if version == api.SNMP_VERSION_2C:
            return self._respond_v2c(data)
        if version == 3:
            return self._respond_v3(data)
        self.device.counters.snmp_rejected += 1
        return None

    def _respond_v2c(self, data: bytes) -> bytes | None:
        message, _ = decoder.decode(data, asn1Spec=v2c.Message())
        community = bytes(v2c.apiMessage.get_community(message))
        if self.device.spec.snmp_v3 or not hmac.compare_digest(community, self.device.spec.community.encode()):
            self.device.counters.snmp_rejected += 1
            return None
        response_pdu = self._process(v2c.apiMessage.get_pdu(message))
        if response_pdu is None:
            return None
        response = v2c.apiMessage.get_response(message)
        v2c.apiMessage.set_pdu(response, response_pdu)
        return bytes(encoder.encode(response))

    def _process(self, pdu: Any) -> Any:
        varbinds = [(tuple(oid), value) for oid, value in v2c.apiPDU.get_varbinds(pdu)]
        if pdu.isSameTypeWith(rfc1905.GetRequestPDU()):
            answers = [(oid, self._get(oid)) for oid, _ in varbinds]
        elif pdu.isSameTypeWith(rfc1905.GetNextRequestPDU()):
            answers = [self._next(oid) for oid, _ in varbinds]
        elif pdu.isSameTypeWith(rfc1905.GetBulkRequestPDU()):
            answers = self._bulk(pdu, varbinds)
        else:
            return None
        self.device.counters.snmp += 1
        response = v2c.apiPDU.get_response(pdu)
        v2c.apiPDU.set_varbinds(response, answers)
        return response

    def _get(self, oid: Oid) -> Any:
        value = self.mib.get(oid)
        return value if value is not None else v2c.NoSuchObject()

    def _next(self, oid: Oid) -> tuple[Oid, Any]:
        found = self.mib.next(oid)
        return found if found is not None else (oid, v2c.EndOfMibView())

    def _bulk(self, pdu: Any, varbinds: list[tuple[Oid, Any]]) -> list[tuple[Oid, Any]]:
        non_repeaters = max(0, int(v2c.apiBulkPDU.get_non_repeaters(pdu)))
        repetitions = min(_MAX_REPETITIONS, max(0, int(v2c.apiBulkPDU.get_max_repetitions(pdu))))
        answers = [self._next(oid) for oid, _ in varbinds[:non_repeaters]]
        cursors = [oid for oid, _ in varbinds[non_repeaters:]]
        for _ in range(repetitions):
            if not cursors or len(answers) + len(cursors) > _MAX_VARBINDS:
                break
            row = [self._next(oid) for oid in cursors]
            answers += row
            if all(isinstance(value, rfc1905.EndOfMibView) for _, value in row):
                break
            cursors = [oid for oid, _ in row]
        return answers

    # --- SNMPv3 / USM (RFC 3414, RFC 3826) ---------------------------------------------------------------

    def _respond_v3(self, data: bytes) -> bytes | None:
        message, _ = decoder.decode(data, asn1Spec=SNMPv3Message())
        header = message["msgGlobalData"]
        msg_id = int(header["msgID"])
        flags = header["msgFlags"].asOctets()[0]
        if int(header["msgSecurityModel"]) != 3 or not self.device.spec.snmp_v3:
            self.device.counters.snmp_rejected += 1
            return None
        params, _ = decoder.decode(message["msgSecurityParameters"].asOctets(), asn1Spec=UsmSecurityParameters())
        user = params["msgUserName"].asOctets()
        boots, engine_time = self.device.state.boots, int(self.device.state.uptime_s())
        reportable = bool(flags & _FLAG_REPORTABLE)
        if params["msgAuthoritativeEngineId"].asOctets() != self.engine_id:
            return self._report(msg_id, _UNKNOWN_ENGINE, user, reportable, data=message)
        if user != self.device.spec.snmp_user.encode():
            return self._report(msg_id, _UNKNOWN_USER, user, reportable, data=message)
        if flags & (_FLAG_AUTH | _FLAG_PRIV) != _FLAG_AUTH | _FLAG_PRIV:
            return self._report(msg_id, _UNSUPPORTED_SEC_LEVEL, user, reportable, data=message)
        if not self._digest_ok(data, params["msgAuthenticationParameters"].asOctets()):
            return self._report(msg_id, _WRONG_DIGEST, user, reportable)
        if int(params["msgAuthoritativeEngineBoots"]) != boots or (
            abs(int(params["msgAuthoritativeEngineTime"]) - engine_time) > _TIME_WINDOW_S
        ):
            return self._report(msg_id, _NOT_IN_TIME_WINDOW, user, reportable, authenticated=True)
        salt = params["msgPrivacyParameters"].asOctets()
        iv = struct.pack(">II", int(params["msgAuthoritativeEngineBoots"]), int(params["msgAuthoritativeEngineTime"]))
        cipher = Cipher(algorithms.AES(self._priv_key), CFB(iv + salt)).decryptor()
        plain = cipher.update(message["msgData"]["encryptedPDU"].asOctets()) + cipher.finalize()
        scoped, _ = decoder.decode(plain, asn1Spec=ScopedPDU())
        response_pdu = self._process(scoped["data"].getComponent())
        if response_pdu is None:
            return None
        return self._encode_v3(msg_id, user, response_pdu, scoped["contextName"].asOctets(), priv=True)

    def _digest_ok(self, data: bytes, given: bytes) -> bool:
        if len(given) != 12:
            return False
        position = data.find(given)
        zeroed = data[:position] + bytes(12) + data[position + 12 :]
        expected = hmac.new(self._auth_key, zeroed, hashlib.sha1).digest()[:12]
        return hmac.compare_digest(given, expected)

    def _report(
        self,
        msg_id: int,
        which: int,
        user: bytes,
        reportable: bool,
        *,
        data: Any = None,
        authenticated: bool = False,
    ) -> bytes | None:
        # Discovery and clock re-synchronisation are protocol housekeeping, not a refused poll.
        if which not in (_UNKNOWN_ENGINE, _NOT_IN_TIME_WINDOW):
            self.device.counters.snmp_rejected += 1
        if not reportable:
            return None
        self._report_counts[which] += 1
        request_id = 0
        if data is not None and data["msgData"].getName() == "plaintext":
            request_id = int(v2c.apiPDU.get_request_id(data["msgData"]["plaintext"]["data"].getComponent()))
        report = rfc1905.ReportPDU()
        v2c.apiPDU.set_defaults(report)
        v2c.apiPDU.set_request_id(report, request_id)
        v2c.apiPDU.set_varbinds(report, [((*_USM_STATS, which, 0), rfc1902.Counter32(self._report_counts[which]))])
        return self._encode_v3(msg_id, user if authenticated else b"", report, b"", auth=authenticated)

    def _encode_v3(
        self, msg_id: int, user: bytes, pdu: Any, context: bytes, *, auth: bool = True, priv: bool = False
    ) -> bytes:
        scoped = ScopedPDU()
        scoped["contextEngineId"] = self.engine_id
        scoped["contextName"] = context
        scoped["data"].setComponentByType(pdu.tagSet, pdu)
        boots, engine_time = self.device.state.boots, int(self.device.state.uptime_s())
        params = UsmSecurityParameters()
        params["msgAuthoritativeEngineId"] = self.engine_id
        params["msgAuthoritativeEngineBoots"] = boots
        params["msgAuthoritativeEngineTime"] = engine_time
        params["msgUserName"] = user
        params["msgAuthenticationParameters"] = bytes(12) if auth else b""
        message = SNMPv3Message()
        message["msgVersion"] = 3
        header = message["msgGlobalData"]
        header["msgID"] = msg_id
        header["msgMaxSize"] = 65507
        header["msgFlags"] = bytes([(_FLAG_AUTH if auth else 0) | (_FLAG_PRIV if priv else 0)])
        header["msgSecurityModel"] = 3
        plain = bytes(encoder.encode(scoped))
        if priv:
            self._salt = (self._salt + 1) % 2**64
            salt = self._salt.to_bytes(8, "big")
            cipher = Cipher(algorithms.AES(self._priv_key), CFB(struct.pack(">II", boots, engine_time) + salt))
            params["msgPrivacyParameters"] = salt
            encryptor = cipher.encryptor()
            message["msgData"]["encryptedPDU"] = encryptor.update(plain) + encryptor.finalize()
        else:
            params["msgPrivacyParameters"] = b""
            message["msgData"]["plaintext"] = scoped
        message["msgSecurityParameters"] = bytes(encoder.encode(params))
        whole = bytes(encoder.encode(message))
        if not auth:
            return whole
        position = whole.find(_DIGEST_PLACEHOLDER) + 2
        digest = hmac.new(self._auth_key, whole, hashlib.sha1).digest()[:12]
        return whole[:position] + digest + whole[position + 12 :]
