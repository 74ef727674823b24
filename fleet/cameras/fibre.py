"""The fibre roll-out: the cameras still on copper or 4G inside the area the fibre network reaches.

The area is a GeoJSON file (setting ``network.fibre_area``), read with shapely; a camera is inside when its
coordinates lie in the area or on its edge. Cameras on copper or 4G without coordinates cannot be placed: they are
counted, so that the list never looks more complete than it is.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from shapely import prepare
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera, DeviceType, Lifecycle, NetworkChange
from fleet.cameras.network_types import NOT_YET_FIBRE
from fleet.csvfile import excel_csv
from fleet.errors import Conflict
from fleet.spreadsheet import write_table

# A fibre area larger than this is refused: a city's polygon is kilobytes, not megabytes.
MAX_AREA_BYTES = 20 * 1024 * 1024
SETTING = "network.fibre_area"


def _geometries(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        return []
    kind = document.get("type")
    if kind == "FeatureCollection":
        return [g for f in document.get("features") or () for g in _geometries(f)]
    if kind == "Feature":
        return _geometries(document.get("geometry"))
    if kind == "GeometryCollection":
        return [g for part in document.get("geometries") or () for g in _geometries(part)]
    return [document]


@lru_cache(maxsize=4)
def _area(path: Path, _changed_ns: int) -> BaseGeometry:
    if path.stat().st_size > MAX_AREA_BYTES:
        raise Conflict(f"the fibre area {path} is larger than {MAX_AREA_BYTES // 1024 // 1024} MB ({SETTING})")
    try:
        found = [shape(g) for g in _geometries(json.loads(path.read_bytes()))]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Conflict(f"the fibre area {path} is not GeoJSON ({SETTING}): {str(exc)[:200]}") from exc
    polygons = [g for g in found if isinstance(g, Polygon | MultiPolygon) and not g.is_empty]
    if not polygons or len(polygons) != len(found):
        raise Conflict(f"the fibre area {path} must hold polygons only, and at least one ({SETTING})")
    area = unary_union(polygons).buffer(0) if len(polygons) > 1 else polygons[0]
    prepare(area)
    return area


def load_area(path: Path | None) -> BaseGeometry:
    """The fibre area from its GeoJSON file (read again when the file changes); Conflict when unset or unusable."""
    if path is None:
        raise Conflict(f"no fibre area is set (setting {SETTING}: a GeoJSON file of the area the fibre reaches)")
    try:
        changed = path.stat().st_mtime_ns
    except OSError as exc:
        raise Conflict(f"the fibre area {path} cannot be read ({SETTING}): {exc.strerror}") from exc
    return _area(path, changed)


def inside(area: BaseGeometry, latitude: float, longitude: float) -> bool:
    """Whether a point (WGS 84) lies in the area or on its edge."""
    return bool(area.covers(Point(longitude, latitude)))


@dataclass(frozen=True, slots=True)
class RolloutRow:
    """A camera inside the fibre area still on copper or 4G."""

    name: str
    area: str | None
    site: str | None
    location: str | None
    latitude: float
    longitude: float
    network: str
    # Since when it has had that network type (the last change kept), and its status now.
    network_since: datetime | None
    status: str


@dataclass(frozen=True, slots=True)
class Rollout:
    """The cameras to move onto fibre, and how many on copper or 4G could not be placed (no coordinates)."""

    rows: list[RolloutRow]
    unplaced: int


async def still_to_move(session: AsyncSession, area: BaseGeometry) -> Rollout:
    """The cameras in service (or in storage) inside the area whose network type is still copper or 4G."""
    since = (
        select(NetworkChange.camera_id, func.max(NetworkChange.changed_at).label("at"))
        .group_by(NetworkChange.camera_id)
        .subquery()
    )
    query = (
        select(Camera, since.c.at)
        .outerjoin(since, since.c.camera_id == Camera.id)
        .where(
            Camera.device_type == DeviceType.CAMERA,
            Camera.lifecycle != Lifecycle.RETIRED,
            Camera.network.in_(NOT_YET_FIBRE),
        )
        .order_by(Camera.name)
    )
    rows, unplaced = [], 0
    for camera, changed_at in await session.execute(query):
        if camera.latitude is None or camera.longitude is None:
            unplaced += 1
            continue
        if inside(area, camera.latitude, camera.longitude):
            rows.append(
                RolloutRow(
                    name=camera.name,
                    area=camera.area,
                    site=camera.site,
                    location=camera.location,
                    latitude=camera.latitude,
                    longitude=camera.longitude,
                    network=camera.network.value if camera.network else "",
                    network_since=changed_at,
                    status=camera.status.value,
                )
            )
    return Rollout(rows, unplaced)


COLUMNS = tuple(RolloutRow.__dataclass_fields__)


def _cells(row: RolloutRow) -> list[Any]:
    values = asdict(row)
    return [v.isoformat() if isinstance(v, datetime) else v for v in (values[c] for c in COLUMNS)]


def to_json(rollout: Rollout, *, fibre_area: str) -> bytes:
    """``{"fibre_area", "unplaced", "total", "items": [...]}``."""
    body = {
        "fibre_area": fibre_area,
        "unplaced": rollout.unplaced,
        "total": len(rollout.rows),
        "items": [dict(zip(COLUMNS, _cells(r), strict=True)) for r in rollout.rows],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def to_csv(rollout: Rollout) -> bytes:
    """One line per camera to move."""
    return excel_csv(COLUMNS, (_cells(r) for r in rollout.rows))


def to_xlsx(rollout: Rollout) -> bytes:
    """One sheet, `Fibre roll-out`, one line per camera to move."""
    book = Workbook(write_only=True)
    write_table(book.create_sheet("Fibre roll-out"), COLUMNS, [_cells(row) for row in rollout.rows])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class RolloutFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def render(rollout: Rollout, format: RolloutFormat, *, fibre_area: str) -> bytes:
    """The list in a format (XLSX: seconds for a large fleet; run it beside the event loop)."""
    if format is RolloutFormat.XLSX:
        return to_xlsx(rollout)
    if format is RolloutFormat.CSV:
        return to_csv(rollout)
    return to_json(rollout, fibre_area=fibre_area)
