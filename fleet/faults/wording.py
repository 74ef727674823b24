"""What each kind of fault and each severity is called (English msgids of the catalogue), for alerts and pages.

A fault's `summary` is the register's technical record (the camera's own values and errors, as measured); people
read the kind first, in their language, and the summary as the detail.
"""

from __future__ import annotations

from fleet.faults.models import FaultKind, Severity
from fleet.language import N_, Language, gettext

KIND_LABELS: dict[FaultKind, str] = {
    FaultKind.OFFLINE: N_("Camera unreachable"),
    FaultKind.ONVIF_AUTH_FAILED: N_("ONVIF login refused"),
    FaultKind.ONVIF_ERROR: N_("ONVIF error"),
    FaultKind.SNMP_UNREACHABLE: N_("SNMP not answering"),
    FaultKind.CLOCK_DRIFT: N_("Clock drift"),
    FaultKind.REBOOTED: N_("Camera rebooted"),
    FaultKind.REBOOT_LOOP: N_("Reboot loop"),
    FaultKind.FIRMWARE_CHANGED: N_("Firmware changed"),
    FaultKind.IDENTITY_CHANGED: N_("Identity changed: camera may have been swapped"),
    FaultKind.TEMPERATURE_HIGH: N_("Temperature too high"),
    FaultKind.STORAGE_FAILURE: N_("Storage failure"),
    FaultKind.GROUP_OUTAGE: N_("Group outage"),
    FaultKind.COLLECTOR_SILENT: N_("No collector checking this poller group"),
    FaultKind.DEPLOYMENT_EXPIRED: N_("Camera running outside a valid deployment decision"),
    FaultKind.DEPLOYMENT_MISSING: N_("Camera running without a deployment decision"),
    FaultKind.STREAM_UNAVAILABLE: N_("Video stream unavailable"),
    FaultKind.STREAM_MISMATCH: N_("Video stream differs from its profile"),
    FaultKind.IMAGE_UNAVAILABLE: N_("No picture available"),
    FaultKind.IMAGE_BLACK: N_("Picture black"),
    FaultKind.IMAGE_COVERED: N_("Lens covered"),
    FaultKind.IMAGE_BLURRED: N_("Picture blurred"),
    FaultKind.IMAGE_FROZEN: N_("Picture frozen"),
    FaultKind.IMAGE_MOVED: N_("View moved"),
    FaultKind.AUTH_DOWNGRADE: N_("Login downgraded from Digest to Basic"),
    FaultKind.HARDWARE_ALARM: N_("Hardware alarm from the camera"),
    FaultKind.CABINET_OPEN: N_("Cabinet door open"),
    FaultKind.CERTIFICATE_EXPIRING: N_("Certificate expiring"),
    FaultKind.CERTIFICATE_EXPIRED: N_("Certificate expired"),
    FaultKind.CONFIG_DRIFT: N_("Configuration differs from its baseline"),
    FaultKind.VULNERABILITY_EXPLOITED: N_("Firmware with a known exploited vulnerability"),
    FaultKind.RECORDING_STOPPED: N_("Recording stopped"),
    FaultKind.RECORDING_GAP: N_("Gap in the recorded footage"),
    FaultKind.RETENTION_SHORT: N_("Footage not kept long enough"),
    FaultKind.RETENTION_EXCEEDED: N_("Footage kept longer than allowed"),
    FaultKind.STORAGE_FAILED: N_("Recorder storage failed"),
    FaultKind.PORT_DOWN: N_("Network port down"),
    FaultKind.POE_OFF: N_("No PoE power on the port"),
    FaultKind.UPS_ON_BATTERY: N_("UPS running on battery"),
    FaultKind.UPS_BATTERY_LOW: N_("UPS battery low"),
}


SEVERITY_LABELS: dict[Severity, str] = {
    Severity.INFO: N_("info"),
    Severity.WARNING: N_("warning"),
    Severity.MINOR: N_("minor"),
    Severity.MAJOR: N_("major"),
    Severity.CRITICAL: N_("critical"),
}


def kind_label(kind: FaultKind, language: Language) -> str:
    """The kind of fault in words."""
    return gettext(KIND_LABELS[kind], language)


def severity_label(severity: Severity, language: Language) -> str:
    """The severity in words."""
    return gettext(SEVERITY_LABELS[severity], language)
