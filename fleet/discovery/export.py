"""The reconciliation report as a workbook: one sheet per finding, headings and words in the reader's language.

Device names, addresses, scopes and problems are untrusted text (a device names itself): every text cell is
neutralised against formula injection by ``fleet.spreadsheet.write_table``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from config.zone import LOCAL
from fleet.discovery.schemas import Reconciliation
from fleet.inventory.wording import RISK_LEVELS
from fleet.language import N_, Language, gettext
from fleet.spreadsheet import write_table

# How a device was found (FoundDevice.seen_by), in words.
SEEN_BY: dict[str, str] = {
    "forwarding": N_("a switch's forwarding table"),
    "neighbour": N_("a router's neighbour table"),
    "ws-discovery": N_("WS-Discovery"),
}
_STAMP = "yyyy-mm-dd hh:mm"


def _local(moment: datetime | None) -> datetime | None:
    # A spreadsheet has no time zones: the municipality's local time, as on the pages.
    return moment.astimezone(LOCAL).replace(tzinfo=None) if moment is not None else None


def _sheet(
    book: Workbook,
    language: Language,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    stamps: Sequence[int] = (),
) -> None:
    write_table(
        book.create_sheet(gettext(title, language)[:31]),
        [gettext(h, language) for h in header],
        rows,
        formats=dict.fromkeys(stamps, _STAMP),
    )


def to_xlsx(report: Reconciliation, language: Language) -> bytes:
    """Sheets: found but not registered, registered but not found, moved, swapped, and the tables read."""
    book = Workbook(write_only=True)

    def risk(level: str) -> str:
        return gettext(RISK_LEVELS[level], language)

    _sheet(
        book,
        language,
        N_("Not registered"),
        (
            N_("MAC address"),
            N_("IP address"),
            N_("Switch"),
            N_("Port"),
            N_("Found in"),
            N_("OUI vendor"),
            N_("Origin vendor"),
            N_("Origin country"),
            N_("Origin risk"),
            N_("First seen"),
            N_("Service addresses"),
        ),
        [
            [
                u.mac,
                u.ip,
                u.switch,
                u.port,
                ", ".join(gettext(SEEN_BY[s], language) for s in u.seen_by),
                u.oui_vendor,
                u.origin_vendor,
                u.origin_country,
                risk(u.risk_level),
                _local(u.first_seen_at),
                " ".join(u.xaddrs),
            ]
            for u in report.unregistered
        ],
        stamps=(9,),
    )
    _sheet(
        book,
        language,
        N_("Not found"),
        (N_("Name"), N_("Type"), N_("Host"), N_("MAC address"), N_("Uplink"), N_("Port"), N_("Last seen")),
        [
            [m.name, m.device_type.value, m.host, m.mac, m.uplink_device, m.uplink_port, _local(m.last_seen_at)]
            for m in report.missing
        ],
        stamps=(6,),
    )
    _sheet(
        book,
        language,
        N_("Moved"),
        (N_("Name"), N_("MAC address"), N_("Uplink"), N_("Port"), N_("Found on"), N_("Found at port")),
        [[m.name, m.mac, m.uplink_device, m.uplink_port, m.found_device, m.found_port] for m in report.moved],
    )
    _sheet(
        book,
        language,
        N_("Swapped"),
        (
            N_("Name"),
            N_("Uplink"),
            N_("Port"),
            N_("Expected MAC address"),
            N_("Found MAC address"),
            N_("OUI vendor"),
            N_("Origin risk"),
        ),
        [
            [
                s.name,
                s.uplink_device,
                s.uplink_port,
                s.expected_mac,
                s.found_mac,
                s.found_oui_vendor,
                risk(s.found_risk_level),
            ]
            for s in report.swapped
        ],
    )
    _sheet(
        book,
        language,
        N_("Tables read"),
        (
            N_("Network device"),
            N_("Last try"),
            N_("Last read"),
            N_("Forwarding entries"),
            N_("Neighbour entries"),
            N_("Problem"),
        ),
        [
            [r.device, _local(r.attempted_at), _local(r.read_at), r.forwarding_entries, r.neighbour_entries, r.problem]
            for r in report.reads
        ],
        stamps=(1, 2),
    )
    # Fixed document times, so the same report gives the same workbook.
    book.properties.created = book.properties.modified = _local(report.generated_at)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
