"""Imported Known Exploited Vulnerabilities catalogues: each import's provenance, and the entries now in force."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime, utcnow


class KevImport(Base):
    """One `camfleet advisories import`: which file, which catalogue version, who and when."""

    __tablename__ = "kev_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    catalog_version: Mapped[str] = mapped_column(String(40))
    date_released: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(200))


class KevVulnerability(Base):
    """An entry of the catalogue last imported (an import replaces them all: CISA's file is the whole list)."""

    __tablename__ = "kev_vulnerabilities"

    cve_id: Mapped[str] = mapped_column(String(30), primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("kev_imports.id", ondelete="CASCADE"))
    vendor_project: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(200))
    vulnerability_name: Mapped[str] = mapped_column(Text)
    date_added: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    short_description: Mapped[str] = mapped_column(Text)
    required_action: Mapped[str] = mapped_column(Text)
    known_ransomware_campaign_use: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text)
    cwes: Mapped[list[str]] = mapped_column(JSONType, default=list)

    __table_args__ = (Index("ix_kev_vulnerabilities_vendor_project", "vendor_project"),)
