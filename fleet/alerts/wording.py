"""What alerts call their events and checks (English msgids of the catalogue, translated in `alerts.language`).

Values a device or a person wrote (a fault register summary, a ticket title, a decision's location) go in as they
are; the words around them (`fleet.language.say` where they are written), and the names of checks, follow the
language.
"""

from __future__ import annotations

from config.checks import CheckKind
from fleet.alerts.models import AlertEvent
from fleet.language import N_, Language, gettext

# Each message's title names what happened.
TITLES: dict[AlertEvent, str] = {
    AlertEvent.FAULT_OPENED: N_("Fault"),
    AlertEvent.FAULT_ESCALATED: N_("Fault not acknowledged (escalated)"),
    AlertEvent.FAULT_CLOSED: N_("Recovered"),
    AlertEvent.FLAPPING_STARTED: N_("Flapping started"),
    AlertEvent.FLAPPING_ENDED: N_("Flapping ended"),
    AlertEvent.TICKET_ASSIGNED: N_("Repair ticket assigned"),
    AlertEvent.SLA_BREACHED: N_("SLA breached"),
    AlertEvent.DEPLOYMENT_ENDING: N_("Deployment decision ending"),
    AlertEvent.DEPLOYMENT_NO_CAMERA: N_("Deployment started without a camera online"),
    AlertEvent.TEST: N_("Test message"),
}

CHECKS: dict[CheckKind, str] = {
    CheckKind.REACHABILITY: N_("reachability"),
    CheckKind.ONVIF_HEALTH: N_("ONVIF health"),
    CheckKind.ONVIF_IDENTITY: N_("ONVIF identity"),
    CheckKind.SNMP: N_("SNMP"),
    CheckKind.STREAM: N_("video stream"),
    CheckKind.IMAGE: N_("picture"),
    CheckKind.RECORDING: N_("recording"),
    CheckKind.SECURITY: N_("security"),
}


def title_of(event: AlertEvent, language: Language) -> str:
    """What happened, as a message's title says it."""
    return gettext(TITLES[event], language)


def check_label(kind: CheckKind, language: Language) -> str:
    """The name of a check in words."""
    return gettext(CHECKS[kind], language)
