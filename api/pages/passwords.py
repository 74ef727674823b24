"""Admin: device passwords (shared, factory user names, age; never a password) and verified rotation runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status

from api.deps import CipherDep, SessionDep
from api.pages.core import ActAdminister, PageAdminister, Viewer, attempt, redirect, render
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import RowId, utcnow
from fleet.passwords import service

router = APIRouter(include_in_schema=False)


async def _page(
    request: Request, session: SessionDep, viewer: Viewer, cipher: CredentialCipher, *, error: str | None = None
) -> Response:
    settings: Settings = request.app.state.settings
    report = await service.password_report(
        session, cipher=cipher, actor=viewer.actor, now=utcnow(), max_age=settings.cameras.password_max_age
    )
    runs = await service.list_runs(session, limit=10)
    names = await service.camera_names(session, sorted({i for r in runs for i in r.camera_ids}))
    return render(
        request,
        viewer,
        "passwords.html",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if error else status.HTTP_200_OK,
        report=report,
        totals=report.as_dict()["totals"],
        runs=[service.shaped_run(run, names) for run in runs],
        batch_size=settings.cameras.rotation_batch_size,
        error=error,
    )


@router.get("/admin/passwords")
async def passwords_page(request: Request, session: SessionDep, viewer: PageAdminister, cipher: CipherDep) -> Response:
    """The password report and the latest rotation runs."""
    return await _page(request, session, viewer, cipher)


@router.post("/admin/passwords/rotate")
async def rotate(
    request: Request,
    session: SessionDep,
    viewer: ActAdminister,
    cipher: CipherDep,
    camera_ids: Annotated[list[RowId], Form()] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    batch_size: Annotated[int, Form(ge=1, le=100)] = 5,
) -> Response:
    """Ask for a rotation of the ticked cameras (all when none is ticked); a collector carries it out."""

    async def ask() -> object:
        ids = camera_ids or await service.rotatable(session)
        return await service.request_rotation(
            session, actor=viewer.actor, camera_ids=ids, batch_size=batch_size, at=utcnow()
        )

    _run, error = await attempt(session, ask, language=viewer.language)
    if error:
        return await _page(request, session, viewer, cipher, error=error)
    return redirect("/admin/passwords")
