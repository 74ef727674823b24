"""The fibre roll-out settings: where the fibre network reaches."""

from __future__ import annotations

from pathlib import Path

from config.section import Section


class NetworkSettings(Section):
    # A GeoJSON file (a Polygon or MultiPolygon, a Feature or a FeatureCollection of them; WGS 84 longitude,
    # latitude) of the area the fibre network reaches: cameras inside it still on copper or 4G are to be moved.
    # None: no fibre area, nothing to list.
    fibre_area: Path | None = None
