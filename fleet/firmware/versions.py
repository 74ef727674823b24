"""Vendor firmware strings as comparable versions: one parser per vendor format, `None` for anything else."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class FirmwareVersion:
    """The numeric release of a firmware string and, when the string carries one, its build date."""

    numbers: tuple[int, ...]
    build_date: date | None = None

    @property
    def key(self) -> tuple[tuple[int, ...], date]:
        """Sort key: release numbers first, then the build date (a rebuilt release is newer)."""
        return self.numbers, self.build_date or date.min


Parser = Callable[[str], FirmwareVersion | None]

# Hikvision: "V5.7.3 build 220112" (build date as YYMMDD).
_HIKVISION = re.compile(r"V(\d+)\.(\d+)\.(\d+) build (\d{2})(\d{2})(\d{2})", re.IGNORECASE)
# Dahua: "2.800.0000000.16.R, Build Date: 2022-08-26"; the letter is the release type, the date may be absent.
_DAHUA = re.compile(r"(\d+)\.(\d+)\.(\d+)\.(\d+)\.[A-Z](?:,\s*Build Date:\s*(\d{4})-(\d{2})-(\d{2}))?", re.IGNORECASE)
# Axis and Bosch: plain dotted versions, "10.12.114", "8.71.0066".
_DOTTED = re.compile(r"(\d+(?:\.\d+){1,3})")
# Hanwha: "2.21.02_20230412"; Pelco: "01.16.42-20180912".
_HANWHA = re.compile(r"(\d+)\.(\d+)\.(\d+)_(\d{4})(\d{2})(\d{2})")
_PELCO = re.compile(r"(\d+)\.(\d+)\.(\d+)-(\d{4})(\d{2})(\d{2})")
# Mobotix: "MX-V5.4.6.5", and "V7.3.1.27" on newer models.
_MOBOTIX = re.compile(r"(?:MX-)?V(\d+(?:\.\d+){2,3})", re.IGNORECASE)


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _numbers(*groups: str) -> tuple[int, ...]:
    return tuple(int(g) for g in groups)


def _hikvision(text: str) -> FirmwareVersion | None:
    if not (m := _HIKVISION.fullmatch(text)):
        return None
    built = _date(f"20{m[4]}", m[5], m[6])
    return None if built is None else FirmwareVersion(_numbers(m[1], m[2], m[3]), built)


def _dahua(text: str) -> FirmwareVersion | None:
    if not (m := _DAHUA.fullmatch(text)):
        return None
    numbers = _numbers(m[1], m[2], m[3], m[4])
    if m[5] is None:
        return FirmwareVersion(numbers)
    built = _date(m[5], m[6], m[7])
    return None if built is None else FirmwareVersion(numbers, built)


def _dotted(text: str) -> FirmwareVersion | None:
    m = _DOTTED.fullmatch(text)
    return None if m is None else FirmwareVersion(_numbers(*m[1].split(".")))


def _dated(pattern: re.Pattern[str]) -> Parser:
    def parse(text: str) -> FirmwareVersion | None:
        if not (m := pattern.fullmatch(text)):
            return None
        built = _date(m[4], m[5], m[6])
        return None if built is None else FirmwareVersion(_numbers(m[1], m[2], m[3]), built)

    return parse


def _mobotix(text: str) -> FirmwareVersion | None:
    m = _MOBOTIX.fullmatch(text)
    return None if m is None else FirmwareVersion(_numbers(*m[1].split(".")))


# Keyed by vendor key (config/vendors.toml). Vendors without a known format are absent: their strings are not parsed.
PARSERS: dict[str, Parser] = {
    "hikvision": _hikvision,
    "dahua": _dahua,
    "axis": _dotted,
    "bosch": _dotted,
    "hanwha": _dated(_HANWHA),
    "pelco": _dated(_PELCO),
    "mobotix": _mobotix,
}


def parse_firmware(vendor: str, firmware: str) -> FirmwareVersion | None:
    """The version in a vendor's firmware string, or None when the vendor or the string's format is not known."""
    parser = PARSERS.get(vendor)
    return None if parser is None else parser(firmware.strip())
