"""A real SNMP agent for tests: snmpsim serving snmpsim-data recordings on loopback addresses.

Each recording is served under its own community (the file name, e.g. "samsung-ipolis"); one
process runs one engine listening on every address. snmpsim logs "Listening" even when its port is taken, so
readiness is proven with a real GET.
"""

from __future__ import annotations

import bz2
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import snmpsim_data
from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api

from tests.waiting import wait_until

_V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
_RECORDINGS = Path(snmpsim_data.__file__).parent / "data"


def recording(name: str) -> Path:
    """Path of an snmpsim-data recording such as "camera/samsung-ipolis"."""
    return _RECORDINGS / f"{name}.snmprec.bz2"


def snmp_answers(address: tuple[str, int], community: str, timeout: float) -> bool:
    """True when an SNMP v2c agent at address answers a GET (any answer) within timeout."""
    pdu = _V2C.GetRequestPDU()
    _V2C.apiPDU.set_defaults(pdu)
    _V2C.apiPDU.set_varbinds(pdu, [("1.3.6.1.2.1.1.3.0", _V2C.Null(""))])
    message = _V2C.Message()
    _V2C.apiMessage.set_defaults(message)
    _V2C.apiMessage.set_community(message, community)
    _V2C.apiMessage.set_pdu(message, pdu)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(encoder.encode(message), address)
        try:
            data, _ = sock.recvfrom(65535)
        except TimeoutError:
            return False
    answer, _ = decoder.decode(data, asn1Spec=_V2C.Message())
    return bool(_V2C.apiPDU.get_request_id(_V2C.apiMessage.get_pdu(answer)) == _V2C.apiPDU.get_request_id(pdu))


@dataclass
class SnmpSim:
    """snmpsim-command-responder serving recordings on each of addresses (host, port)."""

    addresses: list[tuple[str, int]]
    recordings: list[str]
    v3_user: str | None = None
    v3_auth_key: str | None = None
    v3_priv_key: str | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _workdir: Path | None = field(default=None, repr=False)

    def community(self, name: str) -> str:
        """The community that selects a recording: its file name without folders."""
        return Path(name).name

    def start(self, ready_within: float = 20.0) -> None:
        """Start the agent and return once every address answers a GET."""
        self._workdir = Path(tempfile.mkdtemp(prefix="camfleet-snmpsim-"))
        data_dir = self._workdir / "data"
        data_dir.mkdir()
        for name in self.recordings:
            target = data_dir / f"{self.community(name)}.snmprec"
            target.write_bytes(bz2.decompress(recording(name).read_bytes()))
        # SNMPv3 selects a recording by context name; cameras use the empty one, hence ".snmprec".
        shutil.copyfile(data_dir / f"{self.community(self.recordings[0])}.snmprec", data_dir / ".snmprec")
        command = [
            str(Path(sys.executable).parent / "snmpsim-command-responder"),
            f"--data-dir={data_dir}",
            f"--cache-dir={self._workdir / 'cache'}",
            "--log-level=error",
        ]
        if self.v3_user is not None:
            command += [f"--v3-user={self.v3_user}"]
            if self.v3_auth_key is not None:
                command += [f"--v3-auth-key={self.v3_auth_key}", "--v3-auth-proto=SHA"]
            if self.v3_priv_key is not None:
                command += [f"--v3-priv-key={self.v3_priv_key}", "--v3-priv-proto=AES"]
        command += [f"--agent-udpv4-endpoint={host}:{port}" for host, port in self.addresses]
        env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}
        self._process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        process = self._process
        community = self.community(self.recordings[0])
        waiting = list(self.addresses)

        def silent() -> list[tuple[str, int]]:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"snmpsim exited: {stderr[-2000:]}")
            waiting[:] = [address for address in waiting if not snmp_answers(address, community, 0.3)]
            return waiting

        try:
            wait_until(silent, lambda seen: not seen, timeout=ready_within, what="snmpsim answering", interval=0)
        except AssertionError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the agent and remove its data."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
