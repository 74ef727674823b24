"""Each camera's cyber-hygiene figures for the inventory and the annual chapter, as of a moment; never a password.

Passwords (fleet/passwords): how many other cameras share its password (compared by keyed hash), whether its user
name is the vendor's factory one, and the age of the credential; these are known as they are now, the age as of the
moment when the credential last changed before it. Certificates and configuration drift: the endpoints of its
`certificate_expired` and `certificate_expiring` faults, and the settings of its `config_drift` fault, open at the
moment (the fault register keeps their history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.audit.service import Actor
from fleet.crypto import CredentialCipher, load_key
from fleet.faults.models import FaultKind
from fleet.faults.reading import open_at
from fleet.passwords.service import password_report


@dataclass(frozen=True, slots=True)
class HygieneFigures:
    """One camera's figures; None where camfleet holds no login for it."""

    password_shared_with: int | None = None
    default_username: bool | None = None
    credential_age_days: int | None = None
    certificates_expiring: int = 0
    certificates_expired: int = 0
    config_drift: str | None = None


async def hygiene_figures(session: AsyncSession, *, settings: Settings, at: datetime) -> dict[int, HygieneFigures]:
    """Per camera id, its figures as of ``at`` (cameras with nothing to say are left out: all defaults)."""
    report = await password_report(
        session,
        cipher=CredentialCipher(load_key(settings)),
        actor=Actor.system("inventory"),
        now=at,
        max_age=settings.cameras.password_max_age,
        purpose="inventory hygiene figures (no password read out)",
    )
    expired = await open_at(session, FaultKind.CERTIFICATE_EXPIRED, at)
    expiring = await open_at(session, FaultKind.CERTIFICATE_EXPIRING, at)
    drift = await open_at(session, FaultKind.CONFIG_DRIFT, at)
    logins = {row.camera_id: row for row in report.cameras}
    figures: dict[int, HygieneFigures] = {}
    for camera_id in {*logins, *expired, *expiring, *drift}:
        login = logins.get(camera_id)
        age = None if login is None else login.age_days
        ending = [
            e for e in expiring.get(camera_id, {}).get("endpoints", []) if datetime.fromisoformat(e["not_after"]) > at
        ]
        changed = [str(c.get("setting")) for c in drift.get(camera_id, {}).get("changes", [])]
        figures[camera_id] = HygieneFigures(
            password_shared_with=None if login is None else len(login.shared_with),
            default_username=None if login is None else login.default_username,
            # A credential changed after the moment has no known age then.
            credential_age_days=age if age is not None and age >= 0 else None,
            certificates_expiring=len(ending),
            certificates_expired=len(expired.get(camera_id, {}).get("endpoints", [])),
            config_drift="; ".join(changed) or None,
        )
    return figures
