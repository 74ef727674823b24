"""Network types: the words an import may use for each, their labels in English and Dutch, and each device's
history of them (every change kept with its time), cut into the spans of a period it had each type."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor
from fleet.cameras.models import Camera, Network, NetworkChange
from fleet.db import chunks, utcnow
from fleet.language import N_, Language, gettext

# Words people write in the `network` column for each type (Dutch and English spellings), besides the codes.
ALIASES: dict[str, Network] = {
    "fibre": Network.FIBER,
    "glasvezel": Network.FIBER,
    "glass": Network.FIBER,
    "koper": Network.COPPER,
    "utp": Network.COPPER,
    "lte": Network.FOUR_G,
    "4g/lte": Network.FOUR_G,
    "straalverbinding": Network.RADIO,
    "radio link": Network.RADIO,
    "wi-fi": Network.WIFI,
    "wlan": Network.WIFI,
    "overig": Network.OTHER,
    "anders": Network.OTHER,
}
LABELS: dict[Network, str] = {
    Network.FIBER: N_("fibre"),
    Network.COPPER: N_("copper"),
    Network.FOUR_G: N_("4G/LTE"),
    Network.RADIO: N_("radio link"),
    Network.WIFI: N_("Wi-Fi"),
    Network.OTHER: N_("other"),
}
# Still to be moved onto fibre where the fibre area reaches them.
NOT_YET_FIBRE = (Network.COPPER, Network.FOUR_G)

Span = tuple[datetime, datetime]


def network_value(value: Any) -> Any:
    """An import's or request's network word as its code (``glasvezel`` → ``fiber``); anything else as it is,
    for the field's own validation to refuse."""
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    if not word:
        return None
    return ALIASES.get(word, word)


def label(network: Network | str | None, language: Language) -> str:
    """A network type in words, a dash where none is declared; a report key that names no type as it is."""
    if network is None:
        return "–"
    if network not in LABELS:
        return str(network)
    return gettext(LABELS[Network(network)], language)


async def note(session: AsyncSession, camera: Camera, *, actor: Actor, at: datetime | None = None) -> NetworkChange:
    """Keep the device's network type as it now stands, from ``at`` (now) on."""
    change = NetworkChange(
        camera_id=camera.id, network=camera.network, changed_at=at or utcnow(), changed_by=actor.name
    )
    session.add(change)
    return change


async def histories(
    session: AsyncSession, camera_ids: Sequence[int]
) -> dict[int, list[tuple[datetime, Network | None]]]:
    """Each device's network changes in time order."""
    found: dict[int, list[tuple[datetime, Network | None]]] = defaultdict(list)
    for chunk in chunks(camera_ids):
        query = (
            select(NetworkChange.camera_id, NetworkChange.changed_at, NetworkChange.network)
            .where(NetworkChange.camera_id.in_(chunk))
            .order_by(NetworkChange.camera_id, NetworkChange.changed_at, NetworkChange.id)
        )
        for camera_id, changed_at, network in await session.execute(query):
            found[camera_id].append((changed_at, network))
    return found


def spans_by_type(
    history: Sequence[tuple[datetime, Network | None]], period: Span, current: Network | None
) -> list[tuple[Span, Network | None]]:
    """The period cut where the type changed, each piece with the type it had then.

    Before the first change kept the device had the first type kept (the one it was registered with); a device
    without any history has its current type throughout.
    """
    if not history:
        return [(period, current)]
    pieces: list[tuple[Span, Network | None]] = []
    cursor, network = period[0], history[0][1]
    for changed_at, following in history:
        if changed_at >= period[1]:
            break
        if changed_at > cursor:
            pieces.append(((cursor, changed_at), network))
            cursor = changed_at
        network = following
    pieces.append(((cursor, period[1]), network))
    return [(span, kind) for span, kind in pieces if span[0] < span[1]]


class NetworkChangeOut(BaseModel):
    """One change of a device's network type: the type from then on (null: not declared), when and by whom."""

    network: Network | None
    changed_at: datetime
    changed_by: str


async def history_of(session: AsyncSession, camera_id: int) -> list[NetworkChangeOut]:
    """A device's network types in time order."""
    query = (
        select(NetworkChange)
        .where(NetworkChange.camera_id == camera_id)
        .order_by(NetworkChange.changed_at, NetworkChange.id)
    )
    return [
        NetworkChangeOut(network=c.network, changed_at=c.changed_at, changed_by=c.changed_by)
        for c in await session.scalars(query)
    ]
