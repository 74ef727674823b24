"""Device passwords, for admins: the report (never a password) and verified rotation runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.deps import CipherDep, MayAdminister, SessionDep, SettingsDep, actor_of
from fleet.db import RowId, utcnow
from fleet.passwords import service

router = APIRouter(tags=["device passwords"])


class RotationIn(BaseModel):
    """Which cameras (or every in-service camera with an ONVIF login) and the batch size after the first."""

    model_config = ConfigDict(extra="forbid")

    camera_ids: list[RowId] = Field(default_factory=list, max_length=10_000)
    all: bool = False
    batch_size: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _one_choice(self) -> RotationIn:
        if bool(self.camera_ids) == self.all:
            raise ValueError("give camera_ids or all, not both and not neither")
        return self


@router.get("/device-passwords")
async def password_report(
    session: SessionDep, user: MayAdminister, cipher: CipherDep, settings: SettingsDep
) -> dict[str, Any]:
    """Per camera: its user name, whether it is a factory one, which cameras share its password, its age."""
    report = await service.password_report(
        session, cipher=cipher, actor=actor_of(user), now=utcnow(), max_age=settings.cameras.password_max_age
    )
    return report.as_dict()


@router.post("/password-rotations", status_code=status.HTTP_202_ACCEPTED)
async def request_rotation(
    session: SessionDep, user: MayAdminister, settings: SettingsDep, body: RotationIn
) -> dict[str, Any]:
    """Ask for a rotation; a collector carries it out (staged, proven, put back on failure). 409 while one runs."""
    camera_ids = await service.rotatable(session) if body.all else body.camera_ids
    run = await service.request_rotation(
        session,
        actor=actor_of(user),
        camera_ids=camera_ids,
        batch_size=body.batch_size or settings.cameras.rotation_batch_size,
        at=utcnow(),
    )
    return service.shaped_run(run, await service.camera_names(session, run.camera_ids))


@router.get("/password-rotations")
async def list_rotations(session: SessionDep, _user: MayAdminister) -> list[dict[str, Any]]:
    """The latest 50 runs, newest first, with each camera's outcome."""
    runs = await service.list_runs(session)
    names = await service.camera_names(session, sorted({i for r in runs for i in r.camera_ids}))
    return [service.shaped_run(run, names) for run in runs]


@router.get("/password-rotations/{rotation_id}")
async def get_rotation(session: SessionDep, _user: MayAdminister, rotation_id: RowId) -> dict[str, Any]:
    """One run with each camera's outcome (the steps are in the audit log: action password.rotation.step)."""
    run = await service.get_run(session, rotation_id)
    return service.shaped_run(run, await service.camera_names(session, run.camera_ids))
