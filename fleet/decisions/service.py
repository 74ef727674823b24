"""The decision register: import, create, narrow corrections, listing and the annual overview."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera, CameraKind, DeviceType, Lifecycle
from fleet.decisions import rules
from fleet.decisions.importer import ParsedRow
from fleet.decisions.models import Decision, DecisionCamera, DecisionKind
from fleet.decisions.schemas import DecisionIn, DecisionOut, DecisionPatch, OverviewRow
from fleet.errors import InvalidInput, NotFound, Problem

_AUDITED = ("kind", "decision_date", "registration", "location", "starts_on", "ends_on", "days", "supersedes_id")


@dataclass(slots=True)
class ImportResult:
    created: list[Decision] = field(default_factory=list)
    already_registered: int = 0
    warnings: list[Problem] = field(default_factory=list)


async def _all(session: AsyncSession) -> list[Decision]:
    rows = await session.scalars(select(Decision).order_by(Decision.decision_date, Decision.id))
    return list(rows)


async def flexible_fleet(session: AsyncSession) -> int | None:
    """Flexible cameras in the registry (not retired); None when the registry is empty, so nothing to compare."""
    cameras = await session.scalar(
        select(func.count()).select_from(Camera).where(Camera.device_type == DeviceType.CAMERA)
    )
    if not cameras:
        return None
    flexible = await session.scalar(
        select(func.count())
        .select_from(Camera)
        .where(Camera.kind == CameraKind.FLEXIBLE, Camera.lifecycle != Lifecycle.RETIRED)
    )
    return int(flexible or 0)


async def _check_cameras(session: AsyncSession, camera_ids: Sequence[int]) -> None:
    if not camera_ids:
        return
    found = set(
        await session.scalars(
            select(Camera.id).where(Camera.id.in_(camera_ids), Camera.device_type == DeviceType.CAMERA)
        )
    )
    missing = sorted(set(camera_ids) - found)
    if missing:
        raise InvalidInput("camera_ids", f"no camera with id {', '.join(map(str, missing))}")


async def _link(session: AsyncSession, decision: Decision, camera_ids: Sequence[int]) -> None:
    existing = await session.scalars(select(DecisionCamera).where(DecisionCamera.decision_id == decision.id))
    for link in existing:
        await session.delete(link)
    await session.flush()
    session.add_all(DecisionCamera(decision_id=decision.id, camera_id=c) for c in sorted(set(camera_ids)))


async def _register(
    session: AsyncSession, decision: Decision, earlier: list[Decision], fleet: int | None, actor: Actor
) -> None:
    decision.warnings = rules.warnings_for(decision, earlier, flexible_fleet=fleet)
    session.add(decision)
    await session.flush()
    earlier.append(decision)
    await record(
        session,
        actor=actor,
        action="decision.create",
        target_type="decision",
        target_id=decision.id,
        after={name: getattr(decision, name) for name in _AUDITED},
    )


async def create(session: AsyncSession, *, actor: Actor, data: DecisionIn) -> Decision:
    """Register one decision; its warnings are stored with it."""
    if data.supersedes_id is not None and await session.get(Decision, data.supersedes_id) is None:
        raise InvalidInput("supersedes_id", f"no decision with id {data.supersedes_id}")
    await _check_cameras(session, data.camera_ids)
    decision = Decision(
        **data.model_dump(exclude={"camera_ids", "days"}),
        days=[d.isoformat() for d in sorted(data.days)],
        created_by=actor.name,
    )
    await _register(session, decision, await _all(session), await flexible_fleet(session), actor)
    await _link(session, decision, data.camera_ids)
    return decision


async def import_rows(session: AsyncSession, *, actor: Actor, rows: Sequence[ParsedRow]) -> ImportResult:
    """Register the decisions of a file in order; one already registered (kind, registration, dates) is skipped."""
    result = ImportResult()
    earlier = await _all(session)
    fleet = await flexible_fleet(session)
    known = {(d.kind, d.registration, d.decision_date, d.starts_on) for d in earlier}
    for parsed in rows:
        row = parsed.row
        said: set[str] = set()
        for kind in parsed.kinds:
            if (kind, row.registration, row.decision_date, row.start_date) in known:
                result.already_registered += 1
                continue
            decision = Decision(
                kind=kind,
                decision_date=row.decision_date,
                registration=row.registration,
                location=row.location,
                starts_on=row.start_date,
                ends_on=row.end_date,
                days=[d.isoformat() for d in parsed.days],
                reason=row.reason,
                flexible_count=row.flex_count,
                fixed_count=row.fixed_count,
                source_row=row.row,
                decision_date_raw=row.decision_date_raw,
                cameras_raw=row.cameras_raw,
                period_raw=row.period_raw,
                note=row.note,
                created_by=actor.name,
            )
            if kind is not DecisionKind.DEPLOYMENT:
                is_designation = kind is DecisionKind.DESIGNATION
                # A designation only continues an earlier one when its row extends something.
                if not is_designation or "extend" in row.action.casefold():
                    previous = rules.predecessor(decision, earlier, designation=is_designation)
                    decision.supersedes_id = previous.id if previous else None
            await _register(session, decision, earlier, fleet, actor)
            result.created.append(decision)
            # The parts of one line share its dates, so each warning is said once per line.
            result.warnings.extend(Problem(parsed.line, "warning", w) for w in decision.warnings if w not in said)
            said.update(decision.warnings)
    return result


async def get(session: AsyncSession, decision_id: int) -> Decision:
    """One decision, or NotFound."""
    decision = await session.get(Decision, decision_id)
    if decision is None:
        raise NotFound("decision", decision_id)
    return decision


async def update(session: AsyncSession, *, actor: Actor, decision_id: int, data: DecisionPatch) -> Decision:
    """Link cameras or fix free text; dates, kind and period are history and need a superseding decision."""
    decision = await get(session, decision_id)
    changes = data.model_dump(exclude_unset=True)
    before: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "camera_ids":
            await _check_cameras(session, value or [])
            before[name] = await camera_ids(session, decision.id)
            await _link(session, decision, value or [])
        elif value is None and name != "note":
            raise InvalidInput(name, "cannot be empty")
        else:
            before[name] = getattr(decision, name)
            setattr(decision, name, value)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="decision.update",
        target_type="decision",
        target_id=decision.id,
        before=before,
        after=changes,
    )
    return decision


async def camera_ids(session: AsyncSession, decision_id: int) -> list[int]:
    """The cameras linked to a decision."""
    rows = await session.scalars(
        select(DecisionCamera.camera_id).where(DecisionCamera.decision_id == decision_id).order_by("camera_id")
    )
    return list(rows)


async def shaped(session: AsyncSession, decisions: Sequence[Decision]) -> list[DecisionOut]:
    """Decisions with their cameras and the decisions that supersede them."""
    ids = [d.id for d in decisions]
    cameras: dict[int, list[int]] = {i: [] for i in ids}
    for decision_id, camera_id in await session.execute(
        select(DecisionCamera.decision_id, DecisionCamera.camera_id)
        .where(DecisionCamera.decision_id.in_(ids))
        .order_by(DecisionCamera.camera_id)
    ):
        cameras[decision_id].append(camera_id)
    later: dict[int, list[int]] = {i: [] for i in ids}
    for newer_id, old_id in await session.execute(
        select(Decision.id, Decision.supersedes_id).where(Decision.supersedes_id.in_(ids)).order_by(Decision.id)
    ):
        if old_id is not None:
            later[old_id].append(newer_id)
    return [
        DecisionOut.model_validate(
            {
                **{name: getattr(d, name) for name in DecisionOut.model_fields if hasattr(d, name)},
                "camera_ids": cameras[d.id],
                "superseded_by": later[d.id],
            }
        )
        for d in decisions
    ]


async def list_decisions(
    session: AsyncSession, *, page: int, size: int, year: int | None = None, kind: DecisionKind | None = None
) -> tuple[Sequence[Decision], int]:
    """Decisions newest first, optionally of one year (decided or starting in it) or one kind."""
    query = select(Decision)
    if year is not None:
        query = query.where(_in_year(year))
    if kind is not None:
        query = query.where(Decision.kind == kind)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Decision.decision_date.desc(), Decision.id.desc()).offset((page - 1) * size).limit(size)
    )
    return rows.all(), int(total or 0)


def _in_year(year: int) -> Any:
    first, last = date(year, 1, 1), date(year, 12, 31)
    # The annual report lists a December decision for a January period in the year the period starts, too.
    return or_(Decision.decision_date.between(first, last), Decision.starts_on.between(first, last))


def _period(d: Decision) -> str:
    if d.period_raw:
        return d.period_raw
    if d.days:
        return ", ".join(d.days)
    return f"{d.starts_on} – {d.ends_on}" if d.ends_on else f"from {d.starts_on}"


async def overview(session: AsyncSession, year: int) -> list[OverviewRow]:
    """The annual table of section 5 of the report: one line per decision, its designation and deployment together."""
    rows = await session.scalars(
        select(Decision).where(_in_year(year)).order_by(Decision.decision_date, Decision.source_row, Decision.id)
    )
    groups: dict[tuple[date, str, str, int | None], list[Decision]] = {}
    for d in rows:
        groups.setdefault((d.decision_date, d.registration, d.location, d.source_row), []).append(d)
    table: list[OverviewRow] = []
    for parts in groups.values():
        first = parts[0]
        counts = ((first.flexible_count, "flex"), (first.fixed_count, "fixed"))
        cameras = first.cameras_raw or ", ".join(f"{count} {text}" for count, text in counts if count)
        table.append(
            OverviewRow(
                decision_ids=[d.id for d in parts],
                kinds=[d.kind for d in parts],
                decision_date=first.decision_date_raw or first.decision_date.isoformat(),
                cameras=cameras,
                location=first.location,
                period=_period(first),
                reason=first.reason,
                registration=first.registration,
                warnings=list(dict.fromkeys(w for d in parts for w in d.warnings)),
            )
        )
    return table


async def for_camera(session: AsyncSession, camera_id: int) -> list[Decision]:
    """The decisions linked to a camera, by start date."""
    rows = await session.scalars(
        select(Decision)
        .join(DecisionCamera, DecisionCamera.decision_id == Decision.id)
        .where(DecisionCamera.camera_id == camera_id)
        .order_by(Decision.starts_on, Decision.id)
    )
    return list(rows.all())
