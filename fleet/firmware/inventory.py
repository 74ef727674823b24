"""Firmware inventory per model: how many cameras run each (vendor, model, firmware), with its firmware state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from fleet.firmware.assess import AdvisoryMatch, FirmwareState, assess_firmware
from fleet.firmware.catalogue import Advisories

Row = tuple[str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class ModelFirmware:
    vendor: str | None
    model: str | None
    firmware: str | None
    cameras: int
    state: FirmwareState
    advisories: tuple[AdvisoryMatch, ...]
    reason: str


def _clean(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _vendor(value: str | None, advisories: Advisories) -> str | None:
    """The catalogue name, so that "HIKVISION" and "Hikvision" count together; unknown vendors as written."""
    if (text := _clean(value)) is None:
        return None
    found = advisories.vendors.by_name(text)
    return text if found is None else found.name


def _order(row: Row) -> tuple[tuple[bool, str], ...]:
    return tuple((part is None, (part or "").casefold()) for part in row)


def firmware_inventory(rows: Iterable[Row], advisories: Advisories, *, as_of: date) -> list[ModelFirmware]:
    """Cameras counted per (vendor, model, firmware) with the firmware state, sorted by vendor, model, firmware."""
    counts = Counter((_vendor(v, advisories), _clean(m), _clean(f)) for v, m, f in rows)
    inventory = []
    for row in sorted(counts, key=_order):
        found = assess_firmware(*row, advisories, as_of=as_of)
        inventory.append(ModelFirmware(*row, counts[row], found.state, found.advisories, found.reason))
    return inventory
