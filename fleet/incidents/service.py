"""The incident register: the category list, incidents entered one by one, the observers' imported annual table,
and what the report and the replacement plan read from them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.errors import Conflict, ImportRejected, NotFound, Problem
from fleet.incidents.importer import TallyTable
from fleet.incidents.models import OUTCOMES, Incident, IncidentCategory, IncidentTally
from fleet.incidents.schemas import CategoryIn, CategoryPatch, IncidentIn


async def categories(session: AsyncSession, *, active_only: bool = False) -> Sequence[IncidentCategory]:
    """The category list in its order."""
    query = select(IncidentCategory).order_by(IncidentCategory.position, IncidentCategory.id)
    if active_only:
        query = query.where(IncidentCategory.active.is_(True))
    return (await session.scalars(query)).all()


async def _unique_name(session: AsyncSession, name: str, except_id: int | None = None) -> None:
    found = await session.scalar(select(IncidentCategory.id).where(IncidentCategory.name == name))
    if found is not None and found != except_id:
        raise Conflict(f"a category named {name!r} exists")


async def add_category(session: AsyncSession, *, actor: Actor, data: CategoryIn) -> IncidentCategory:
    """A new category at the end of the list (or at the position given)."""
    await _unique_name(session, data.name)
    last = await session.scalar(select(func.max(IncidentCategory.position)))
    category = IncidentCategory(name=data.name, position=data.position or (last or 0) + 1, active=True)
    session.add(category)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="incident_category.create",
        target_type="incident_category",
        target_id=category.id,
        after={"name": category.name, "position": category.position},
    )
    return category


async def change_category(
    session: AsyncSession, *, actor: Actor, category_id: int, data: CategoryPatch
) -> IncidentCategory:
    """Rename, move or retire a category; its incidents and tallies keep pointing at it."""
    category = await session.get(IncidentCategory, category_id)
    if category is None:
        raise NotFound("incident category", category_id)
    # A field sent as null changes nothing (a name, position or state cannot be emptied).
    changes = {name: value for name, value in data.model_dump(exclude_unset=True).items() if value is not None}
    if "name" in changes:
        await _unique_name(session, changes["name"], except_id=category_id)
    before = {name: getattr(category, name) for name in changes}
    for name, value in changes.items():
        setattr(category, name, value)
    await record(
        session,
        actor=actor,
        action="incident_category.update",
        target_type="incident_category",
        target_id=category_id,
        before=before,
        after=changes,
    )
    return category


async def add_incident(session: AsyncSession, *, actor: Actor, data: IncidentIn) -> Incident:
    """Register one incident; its category must be on the list and still in use, its camera (if any) known."""
    category = await session.get(IncidentCategory, data.category_id)
    if category is None or not category.active:
        raise NotFound("incident category", data.category_id)
    if data.camera_id is not None and await session.get(Camera, data.camera_id) is None:
        raise NotFound("camera", data.camera_id)
    incident = Incident(**data.model_dump(), created_by=actor.name)
    session.add(incident)
    await session.flush()
    await record(session, actor=actor, action="incident.create", target_type="incident", target_id=incident.id)
    return incident


async def incidents_of(session: AsyncSession, *, first: date, last: date) -> Sequence[Incident]:
    """The incidents between two days (both included), newest first."""
    query = select(Incident).where(Incident.occurred_on.between(first, last))
    return (await session.scalars(query.order_by(Incident.occurred_on.desc(), Incident.id.desc()))).all()


async def import_tallies(session: AsyncSession, *, actor: Actor, table: TallyTable) -> int:
    """Store the table's lines for its year (in place of that year's earlier import) and, for the year in brackets,
    the counts not yet known. Every category must be on the list: otherwise nothing is written."""
    by_name = {c.name: c for c in await categories(session)}
    problems = [
        Problem(line.line, "Omschrijving incident", f"{line.category!r} is not on the category list; add it first")
        for line in table.lines
        if line.category not in by_name
    ]
    if problems:
        raise ImportRejected(problems)
    known = {
        (t.year, t.category_id): t
        for t in await session.scalars(
            select(IncidentTally).where(IncidentTally.year.in_([table.year, table.previous_year or table.year]))
        )
    }
    listed = {by_name[line.category].id for line in table.lines}
    for (year, category_id), dropped in known.items():
        if year == table.year and category_id not in listed:
            await session.delete(dropped)
    for line in table.lines:
        category_id = by_name[line.category].id
        tally = known.get((table.year, category_id)) or IncidentTally(year=table.year, category_id=category_id)
        tally.count, tally.followed, tally.remark, tally.created_by = line.count, line.followed, line.remark, actor.name
        session.add(tally)
        earlier = (table.previous_year, category_id)
        if table.previous_year is not None and line.previous is not None and earlier not in known:
            session.add(
                IncidentTally(
                    year=table.previous_year, category_id=category_id, count=line.previous, created_by=actor.name
                )
            )
    await record(
        session,
        actor=actor,
        action="incident_tally.import",
        target_type="incident_year",
        target_id=table.year,
        after={"lines": len(table.lines)},
    )
    return len(table.lines)


@dataclass(frozen=True, slots=True)
class YearLine:
    """A category's line of the annual table: the count (none where nothing was registered), what followed in the
    observers' words and counted from the incidents entered, and the remark."""

    category: str
    count: int | None
    previous: int | None
    followed: str
    remark: str


async def _entered(session: AsyncSession, year: int) -> dict[int, tuple[int, dict[str, int]]]:
    sums = [func.sum(getattr(Incident, outcome)) for outcome in OUTCOMES]
    rows = await session.execute(
        select(Incident.category_id, func.count(), *sums)
        .where(Incident.occurred_on.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(Incident.category_id)
    )
    return {row[0]: (int(row[1]), dict(zip(OUTCOMES, (int(v or 0) for v in row[2:]), strict=True))) for row in rows}


async def year_table(session: AsyncSession, year: int) -> list[tuple[YearLine, dict[str, int]]]:
    """The annual table of section 7 for a year, in the list's order: each category with anything that year or the
    year before, and the outcomes counted from the incidents entered (to be said in the report's language)."""
    tallies = {
        (t.year, t.category_id): t
        for t in await session.scalars(select(IncidentTally).where(IncidentTally.year.in_([year, year - 1])))
    }
    now, before = await _entered(session, year), await _entered(session, year - 1)
    table = []
    for category in await categories(session):
        tally, earlier = tallies.get((year, category.id)), tallies.get((year - 1, category.id))
        if tally is None and earlier is None and category.id not in now and category.id not in before:
            continue
        count = _add(tally.count if tally else None, now.get(category.id, (None, {}))[0])
        previous = _add(earlier.count if earlier else None, before.get(category.id, (None, {}))[0])
        outcomes = now.get(category.id, (0, dict.fromkeys(OUTCOMES, 0)))[1]
        line = YearLine(category.name, count, previous, tally.followed if tally else "", tally.remark if tally else "")
        table.append((line, outcomes))
    return table


def _add(kept: int | None, entered: int | None) -> int | None:
    if kept is None and not entered:
        return None
    return (kept or 0) + (entered or 0)


async def seen_by(session: AsyncSession, *, first: date, last: date) -> tuple[Counter[str], Counter[int]]:
    """How many incidents each area and each camera saw between two days (the cameras' "value")."""
    rows = await session.execute(
        select(Incident.area, Incident.camera_id, func.count())
        .where(Incident.occurred_on.between(first, last))
        .group_by(Incident.area, Incident.camera_id)
    )
    areas: Counter[str] = Counter()
    cameras: Counter[int] = Counter()
    for area, camera_id, count in rows:
        areas[area] += count
        if camera_id is not None:
            cameras[camera_id] += count
    return areas, cameras
