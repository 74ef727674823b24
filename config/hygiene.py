"""Cyber-hygiene settings: when a certificate counts as expiring, which TLS ports to try, the municipality's NTP."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from config.durations import Duration
from config.section import Section


class HygieneSettings(Section):
    """The security check (`scheduler.security_interval`): certificates, exposed services, configuration drift."""

    # A certificate ending within this long opens `certificate_expiring`; an ended one `certificate_expired`.
    certificate_warning: Duration = timedelta(days=30)
    # HTTPS is tried on these ports besides the ones the camera names in GetNetworkProtocols; RTSPS (RTSP over
    # TLS, no ONVIF name of its own) on these. 322 is the RTSPS port of Axis and others.
    https_ports: list[int] = [443]
    rtsps_ports: list[int] = [322]
    # The municipality's NTP servers (names or addresses); a camera set to others is shown. Empty: not compared.
    ntp_servers: list[str] = Field(default=[], max_length=20)

    @field_validator("https_ports", "rtsps_ports")
    @classmethod
    def _ports(cls, value: list[int]) -> list[int]:
        if len(value) > 10 or any(not 0 < port < 65536 for port in value):
            raise ValueError("at most 10 ports, each 1 to 65535")
        return sorted(set(value))

    @field_validator("ntp_servers")
    @classmethod
    def _servers(cls, value: list[str]) -> list[str]:
        cleaned = [server.strip().lower() for server in value]
        if any(not server or len(server) > 253 for server in cleaned):
            raise ValueError("each NTP server is a host name or address of 1 to 253 characters")
        return cleaned
