"""What each kind of fault is called, in Dutch and English, for alerts and pages.

A fault's `summary` is the register's technical record (the camera's own values and errors, as measured); people
read the kind first, in their language, and the summary as the detail.
"""

from __future__ import annotations

from fleet.faults.models import FaultKind, Severity
from fleet.language import Language, in_language

# kind: (Dutch, English)
KIND_LABELS: dict[FaultKind, tuple[str, str]] = {
    FaultKind.OFFLINE: ("Camera niet bereikbaar", "Camera unreachable"),
    FaultKind.ONVIF_AUTH_FAILED: ("ONVIF-aanmelding geweigerd", "ONVIF login refused"),
    FaultKind.ONVIF_ERROR: ("ONVIF-fout", "ONVIF error"),
    FaultKind.SNMP_UNREACHABLE: ("SNMP geeft geen antwoord", "SNMP not answering"),
    FaultKind.CLOCK_DRIFT: ("Klok loopt niet gelijk", "Clock drift"),
    FaultKind.REBOOTED: ("Camera herstart", "Camera rebooted"),
    FaultKind.REBOOT_LOOP: ("Camera herstart telkens opnieuw", "Reboot loop"),
    FaultKind.FIRMWARE_CHANGED: ("Firmware gewijzigd", "Firmware changed"),
    FaultKind.IDENTITY_CHANGED: (
        "Identiteit gewijzigd: camera mogelijk verwisseld",
        "Identity changed: camera may have been swapped",
    ),
    FaultKind.TEMPERATURE_HIGH: ("Temperatuur te hoog", "Temperature too high"),
    FaultKind.STORAGE_FAILURE: ("Opslagfout", "Storage failure"),
    FaultKind.GROUP_OUTAGE: ("Groepsuitval", "Group outage"),
    FaultKind.DEPLOYMENT_EXPIRED: (
        "Camera actief buiten een geldig inzetbesluit",
        "Camera running outside a valid deployment decision",
    ),
    FaultKind.DEPLOYMENT_MISSING: ("Camera actief zonder inzetbesluit", "Camera running without a deployment decision"),
    FaultKind.STREAM_UNAVAILABLE: ("Videostroom niet beschikbaar", "Video stream unavailable"),
    FaultKind.STREAM_MISMATCH: ("Videostroom wijkt af van het profiel", "Video stream differs from its profile"),
    FaultKind.IMAGE_UNAVAILABLE: ("Geen beeld op te halen", "No picture available"),
    FaultKind.IMAGE_BLACK: ("Beeld zwart", "Picture black"),
    FaultKind.IMAGE_COVERED: ("Lens afgedekt", "Lens covered"),
    FaultKind.IMAGE_BLURRED: ("Beeld onscherp", "Picture blurred"),
    FaultKind.IMAGE_FROZEN: ("Beeld bevroren", "Picture frozen"),
    FaultKind.IMAGE_MOVED: ("Camerabeeld verschoven", "View moved"),
}


SEVERITY_LABELS: dict[Severity, tuple[str, str]] = {
    Severity.INFO: ("info", "info"),
    Severity.WARNING: ("waarschuwing", "warning"),
    Severity.MINOR: ("klein", "minor"),
    Severity.MAJOR: ("groot", "major"),
    Severity.CRITICAL: ("kritiek", "critical"),
}


def kind_label(kind: FaultKind, language: Language) -> str:
    """The kind of fault in words."""
    return in_language(KIND_LABELS[kind], language)


def severity_label(severity: Severity, language: Language) -> str:
    """The severity in words."""
    return in_language(SEVERITY_LABELS[severity], language)
