"""What the security check last saw of a camera, and the configuration baseline it is compared with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime


class CameraHygiene(Base):
    """One row per camera, written by its security check; the baseline by that check's first run or a person."""

    __tablename__ = "camera_hygiene"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    observed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each TLS port tried: service, port, certificate (subject, issuer, dates, key, signature, self-signed) or error.
    endpoints: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # GetNetworkProtocols (name, enabled, ports); null: the camera did not say.
    protocols: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    discoverable: Mapped[bool | None] = mapped_column()
    ntp_from_dhcp: Mapped[bool | None] = mapped_column()
    ntp_servers: Mapped[list[str] | None] = mapped_column(JSONType)
    snmp_version: Mapped[str | None] = mapped_column(String(4))
    # The configuration now and at the baseline, as {setting: value} (see fleet.hygiene.rules.configuration).
    configuration: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    baseline: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    baseline_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    baseline_taken_by: Mapped[str | None] = mapped_column(String(100))
