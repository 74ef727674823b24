"""The inventory as files a procurement officer can open: XLSX, CSV, JSON and GeoJSON.

The same database (and ``as_of`` day) gives byte-identical CSV and JSON.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from openpyxl import Workbook

from fleet.csvfile import excel_csv
from fleet.inventory.replacement import (
    AVAILABILITY_FLOOR,
    AVAILABILITY_TARGET,
    FAULTS_FOR_FULL_POINTS,
    FIRMWARE_POINTS,
    INCIDENTS_FOR_FULL_POINTS,
    RISK_POINTS,
    SUPPORT_POINTS,
    WEIGHTS,
    Score,
    explained,
)
from fleet.inventory.service import COLUMNS, InventoryRow
from fleet.inventory.wording import Kind, heading, reason_text, term
from fleet.language import Language
from fleet.spreadsheet import write_table

# What each column means and where it comes from (the Data dictionary sheet).
DICTIONARY: dict[str, tuple[str, str]] = {
    "name": ("Camera name in the registry", "camera import / API"),
    "kind": ("fixed or flexible (art. 151c Gemeentewet deployments)", "camera import / API"),
    "site": ("Site the camera belongs to", "camera import / API"),
    "area": ("Area (camera area designation)", "camera import / API"),
    "location": ("Street or crossing", "camera import / API"),
    "latitude": ("WGS 84 latitude", "camera import / API"),
    "longitude": ("WGS 84 longitude", "camera import / API"),
    "declared_manufacturer": ("Manufacturer according to purchase records", "camera import / API"),
    "declared_model": ("Model according to purchase records", "camera import / API"),
    "manufacturer": ("Manufacturer the device reports", "ONVIF GetDeviceInformation"),
    "model": ("Model the device reports", "ONVIF GetDeviceInformation"),
    "firmware": ("Firmware version the device reports", "ONVIF GetDeviceInformation"),
    "serial": ("Serial number the device reports", "ONVIF GetDeviceInformation"),
    "mac": ("MAC address of the network interface", "ONVIF GetNetworkInterfaces"),
    "installed_on": ("Installation date", "camera import / API"),
    "age_years": ("Years since installation, as of the export day", "computed"),
    "network": ("fiber, copper, 4g or other", "camera import / API"),
    "status": ("up, degraded, down or unknown at export time", "polling"),
    "availability_12m": (
        "Up ÷ (time − maintenance − unmeasured), last 12 months; empty if nothing measured",
        "status intervals",
    ),
    "faults_12m": ("Faults opened in the last 12 months", "fault register"),
    "origin_vendor": ("The maker the evidence points to", "vendor-origin classification"),
    "origin_country": ("Country of that maker's headquarters", "config/vendors.toml"),
    "risk_level": (
        "high (FCC Covered List / NDAA 889 makers and their OEM products), medium (other PRC makers), low, unknown",
        "vendor-origin classification",
    ),
    "risk_evidence": (
        "Each signal, its value and the maker it points to",
        "ONVIF, MAC OUI (IEEE), SNMP, purchase records",
    ),
    "identity_mismatch": (
        "Declared and reported identity disagree (relabelled or swapped camera)",
        "vendor-origin classification",
    ),
    "replacement_priority": (f"0–100: {explained('en')} (Replacement plan sheet)", "computed"),
    "replacement_reason": ("Why, in words", "computed"),
    "firmware_state": ("vulnerable (a known advisory applies), outdated, ok or unknown", "config/advisories.toml"),
    "exploited_cves": (
        "CVEs of CISA's Known Exploited Vulnerabilities catalogue matched to the camera (open vulnerability_exploited)",
        "camfleet advisories import (CISA KEV), config/advisories.toml",
    ),
    "recorder": ("The recorder keeping the footage, edge (the camera's own storage) or none", "camera import / API"),
    "recording_state": (
        "recording, a recording fault (recording_stopped, recording_gap, retention_short, retention_exceeded), "
        "not_recorded or unchecked, from the last recording check",
        "recording check (ONVIF Profile G)",
    ),
    "retention_days": ("How many days back the footage reaches", "recording check (ONVIF Profile G)"),
    "password_shared_with": (
        "How many other cameras use the same password (compared by keyed hash, never shown); empty: no login held",
        "password report (now)",
    ),
    "default_username": ("The login uses the vendor's factory user name (e.g. admin)", "password report (now)"),
    "credential_age_days": ("Days since the login was last set (import, API or rotation)", "password report"),
    "certificates_expiring": (
        "TLS endpoints (HTTPS, RTSPS) whose certificate ends within hygiene.certificate_warning (certificate_expiring)",
        "security check",
    ),
    "certificates_expired": ("TLS endpoints whose certificate has ended (certificate_expired)", "security check"),
    "config_drift": (
        "Settings that differ from the camera's configuration baseline (open config_drift)",
        "security check (ONVIF encoder, NTP, time zone, network protocols)",
    ),
}


def _points(table: Mapping[str, float]) -> str:
    return ", ".join(f"{points:g} {code}" for code, points in table.items())


_SUPPORT = {state.value: points for state, points in SUPPORT_POINTS.items()}
_W = {part: f"{points:g}" for part, points in WEIGHTS.items()}

# The Replacement plan's parts, below the columns in the Data dictionary: made from the score's own numbers.
PLAN_DICTIONARY: tuple[tuple[str, str, str], ...] = (
    ("plan: origin risk", _points(RISK_POINTS), "vendor-origin classification"),
    (
        "plan: age",
        f"{_W['age']} × age ÷ expected life (setting inventory.expected_life_years), at most {_W['age']}",
        "installed_on",
    ),
    (
        "plan: end of support",
        f"{_SUPPORT['ended']:g} when the maker's support has ended, {_SUPPORT['discontinued']:g} when the model is "
        f"discontinued (no longer sold), {_SUPPORT['current']:g} when on sale; {_SUPPORT['unknown']:g} and shown as "
        "unknown when no dated source covers the model",
        "config/lifecycle.toml",
    ),
    ("plan: support, support ends", "The model's support state and the date support ends", "config/lifecycle.toml"),
    ("plan: firmware", _points(FIRMWARE_POINTS), "config/advisories.toml"),
    (
        "plan: faults",
        f"{_W['faults']} × faults in 12 months ÷ {FAULTS_FOR_FULL_POINTS}, at most {_W['faults']}",
        "fault register",
    ),
    (
        "plan: availability",
        f"{_W['availability']} × shortfall below {AVAILABILITY_TARGET:.0%}, all {_W['availability']} at "
        f"{AVAILABILITY_FLOOR:.0%} or less; 0 if nothing measured",
        "status intervals",
    ),
    (
        "plan: value",
        f"{_W['value']} × incidents seen in 12 months ÷ {INCIDENTS_FOR_FULL_POINTS}, at most {_W['value']}",
        "incident register (camera observers)",
    ),
)


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"
    GEOJSON = "geojson"


def render(rows: Sequence[InventoryRow], fmt: ExportFormat, as_of: date, language: Language = "en") -> bytes:
    """The inventory in one format; `language` words the spreadsheet's summary and replacement plan."""
    if fmt is ExportFormat.XLSX:
        return to_xlsx(rows, as_of=as_of, language=language)
    if fmt is ExportFormat.CSV:
        return to_csv(rows)
    if fmt is ExportFormat.GEOJSON:
        return to_geojson(rows, as_of=as_of)
    return to_json(rows, as_of=as_of)


def to_csv(rows: Sequence[InventoryRow]) -> bytes:
    """The Cameras sheet as CSV."""
    return excel_csv(COLUMNS, ([row.values[c] for c in COLUMNS] for row in rows))


def _record(row: InventoryRow) -> dict[str, Any]:
    record = {c: (row.values[c].isoformat() if isinstance(row.values[c], date) else row.values[c]) for c in COLUMNS}
    record["risk_evidence"] = row.evidence
    record["firmware_advisories"] = row.advisories
    if row.parts is not None:
        record["replacement_parts"] = {
            "origin_risk": row.parts.risk,
            "age": row.parts.age,
            "end_of_support": row.parts.end_of_support,
            "firmware": row.parts.firmware,
            "faults": row.parts.faults,
            "availability": row.parts.availability,
            "value": row.parts.value,
        }
        support = row.parts.support
        record["end_of_support"] = {
            "state": support.state.value,
            "discontinued": None if support.discontinued is None else support.discontinued.isoformat(),
            "ends": None if support.ends is None else support.ends.isoformat(),
            "sources": list(support.sources),
        }
    return record


def to_json(rows: Sequence[InventoryRow], *, as_of: date) -> bytes:
    """Every camera with its evidence, advisories and score parts as structured values."""
    document = {"as_of": as_of.isoformat(), "columns": list(COLUMNS), "cameras": [_record(r) for r in rows]}
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def to_geojson(rows: Sequence[InventoryRow], *, as_of: date) -> bytes:
    """Point features (longitude, latitude) with the same properties; a camera without coordinates has none."""
    features = []
    for row in rows:
        lat, lon = row.values["latitude"], row.values["longitude"]
        geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
        features.append({"type": "Feature", "geometry": geometry, "properties": _record(row)})
    document = {"type": "FeatureCollection", "as_of": as_of.isoformat(), "features": features}
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def _maker(row: InventoryRow) -> Any:
    return row.values["manufacturer"] or row.values["declared_manufacturer"]


def _model(row: InventoryRow) -> Any:
    return row.values["model"] or row.values["declared_model"]


def _exploited(row: InventoryRow) -> str:
    return "yes" if row.values["exploited_cves"] else "no"


def _field(name: str) -> Callable[[InventoryRow], Any]:
    def value(row: InventoryRow) -> Any:
        return row.values[name]

    return value


# The Summary sheet: counts of cameras by each of these (a label in wording.Words.labels; coded values translated).
_SUMMARY: tuple[tuple[str, Callable[[InventoryRow], Any], Kind | None], ...] = (
    ("maker", _maker, None),
    ("model_counted", _model, None),
    ("origin_country", _field("origin_country"), None),
    ("origin_vendor", _field("origin_vendor"), None),
    ("risk_level", _field("risk_level"), "risk_levels"),
    ("firmware_state", _field("firmware_state"), "firmware_states"),
    ("exploited", _exploited, "exploited"),
    ("kind", _field("kind"), None),
    ("area", _field("area"), None),
    ("network", _field("network"), None),
)


def _cameras_sheet(book: Workbook, rows: Sequence[InventoryRow]) -> None:
    # Typed cells: numbers stay numbers, dates dates, booleans booleans; None is an empty cell.
    write_table(
        book.create_sheet("Cameras"),
        COLUMNS,
        [[r.values[c] for c in COLUMNS] for r in rows],
        formats={COLUMNS.index("availability_12m"): "0.00%", COLUMNS.index("installed_on"): "yyyy-mm-dd"},
    )


def _summary_sheet(book: Workbook, rows: Sequence[InventoryRow], language: Language) -> None:
    summary = book.create_sheet("Summary")
    summary_rows: list[list[Any]] = []
    for label, column, kind in _SUMMARY:
        values = (column(r) for r in rows)
        shown = (term(kind, v, language) if kind else str(v or heading("unknown", language)) for v in values)
        for value, count in sorted(Counter(shown).items(), key=lambda kv: (-kv[1], kv[0])):
            summary_rows.append([heading(label, language), value, count])
    write_table(summary, [heading(k, language) for k in ("counted_by", "value", "cameras")], summary_rows)


def _plan_row(rank: int, r: InventoryRow, parts: Score, language: Language) -> list[Any]:
    return [
        rank,
        r.values["name"],
        r.values["area"],
        _maker(r),
        _model(r),
        parts.total,
        parts.risk,
        parts.age,
        parts.end_of_support,
        parts.firmware,
        parts.faults,
        parts.availability,
        parts.value,
        term("support_states", parts.support.state, language),
        parts.support.ends,
        reason_text(parts.reasons, language),
    ]


def _plan_sheet(book: Workbook, rows: Sequence[InventoryRow], language: Language) -> None:
    plan = book.create_sheet("Replacement plan")
    ranked = sorted(
        (r for r in rows if r.parts is not None), key=lambda r: (-(r.parts.total if r.parts else 0), r.values["name"])
    )
    write_table(
        plan,
        [heading(k, language) for k in ("rank", "name", "area", "manufacturer", "model", "total", *WEIGHTS)]
        + [heading(k, language) for k in ("support_state", "support_ends", "reason")],
        [_plan_row(rank, r, r.parts, language) for rank, r in enumerate(ranked, start=1) if r.parts is not None],
        widths={16: 80},
        formats={15: "yyyy-mm-dd"},
    )


def _vulnerabilities_sheet(book: Workbook, rows: Sequence[InventoryRow]) -> None:
    vulnerabilities = book.create_sheet("Vulnerabilities")
    write_table(
        vulnerabilities,
        ["name", "manufacturer", "model", "firmware", "advisory", "CVE", "severity", "summary", "source"],
        [
            [
                r.values["name"],
                _maker(r),
                _model(r),
                r.values["firmware"],
                a.get("id"),
                ", ".join(a.get("cve_ids", [])),
                a.get("severity"),
                a.get("summary"),
                "; ".join(a.get("sources", [])),
            ]
            for r in rows
            for a in r.advisories
        ],
    )


def _dictionary_sheet(book: Workbook) -> None:
    dictionary = book.create_sheet("Data dictionary")
    write_table(
        dictionary,
        ["column", "meaning", "source"],
        [[c, *DICTIONARY[c]] for c in COLUMNS] + [list(entry) for entry in PLAN_DICTIONARY],
        widths={2: 90, 3: 45},
    )


def to_xlsx(rows: Sequence[InventoryRow], *, as_of: date, language: Language = "en") -> bytes:
    """The workbook: Cameras, Summary, Replacement plan, Vulnerabilities, Data dictionary.

    `Cameras` carries the contract's columns and codes whatever the language; Summary and Replacement plan show
    risk levels, firmware states, support states, score parts and reasons in the language.
    """
    book = Workbook(write_only=True)
    _cameras_sheet(book, rows)
    _summary_sheet(book, rows, language)
    _plan_sheet(book, rows, language)
    _vulnerabilities_sheet(book, rows)
    _dictionary_sheet(book)
    # Fixed document times, so the same data gives the same workbook.
    stamp = datetime.combine(as_of, time())
    book.properties.created = book.properties.modified = stamp
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
