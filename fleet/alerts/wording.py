"""What alerts say, in Dutch and English (`alerts.language`): one table, looked up by key with the values filled in.

Values a device or a person wrote (a fault register summary, a ticket title, a decision's location) go in as they
are; the words around them, and the names of checks, follow the language.
"""

from __future__ import annotations

from typing import Any

from config.checks import CheckKind
from fleet.alerts.models import AlertEvent
from fleet.language import Language, in_language

# Each message's title names what happened.
TITLES: dict[AlertEvent, tuple[str, str]] = {
    AlertEvent.FAULT_OPENED: ("Storing", "Fault"),
    AlertEvent.FAULT_ESCALATED: ("Storing niet bevestigd (escalatie)", "Fault not acknowledged (escalated)"),
    AlertEvent.FAULT_CLOSED: ("Hersteld", "Recovered"),
    AlertEvent.FLAPPING_STARTED: ("Wisselend gedrag begonnen", "Flapping started"),
    AlertEvent.FLAPPING_ENDED: ("Wisselend gedrag voorbij", "Flapping ended"),
    AlertEvent.TICKET_ASSIGNED: ("Reparatieticket toegewezen", "Repair ticket assigned"),
    AlertEvent.SLA_BREACHED: ("SLA-termijn overschreden", "SLA breached"),
    AlertEvent.DEPLOYMENT_ENDING: ("Inzetbesluit loopt af", "Deployment decision ending"),
    AlertEvent.DEPLOYMENT_NO_CAMERA: (
        "Inzet begonnen zonder camera online",
        "Deployment started without a camera online",
    ),
    AlertEvent.TEST: ("Testbericht", "Test message"),
}

# key: (Dutch, English)
TEXT: dict[str, tuple[str, str]] = {
    "batch.label": ("Meldingen", "Alerts"),
    "batch.count": ("{count} meldingen, {severity}", "{count} alerts, {severity}"),
    "batch.footer": ("Bericht-id: {id}", "Message id: {id}"),
    "fault.recovered": ("{subject} — hersteld na {minutes} min", "{subject} — recovered after {minutes} min"),
    "fault.cameras": ("Camera's: {names}", "Cameras: {names}"),
    "fault.severity": ("Ernst: {severity}; sinds {since}", "Severity: {severity}; since {since}"),
    "flap.started": (
        "{camera}: {check} wisselt steeds tussen goed en fout",
        "{camera}: {check} keeps changing between ok and failed",
    ),
    "flap.ended.ok": ("{camera}: {check} weer stabiel; nu goed", "{camera}: {check} stable again; now ok"),
    "flap.ended.failed": ("{camera}: {check} weer stabiel; nu fout", "{camera}: {check} stable again; now failed"),
    "ticket.assigned": ("Ticket #{id} toegewezen aan {user}: {title}", "Ticket #{id} assigned to {user}: {title}"),
    "ticket.missed.response": (
        "Ticket #{id}: reactietermijn verstreken (uiterlijk {due}): {title}",
        "Ticket #{id}: response target missed (due {due}): {title}",
    ),
    "ticket.missed.resolution": (
        "Ticket #{id}: oplostermijn verstreken (uiterlijk {due}): {title}",
        "Ticket #{id}: resolution target missed (due {due}): {title}",
    ),
    "ticket.line": ("Ticket #{id} (prioriteit {priority}): {title}", "Ticket #{id} (priority {priority}): {title}"),
    "ticket.due": (
        "Reactie uiterlijk {response}; oplossing uiterlijk {resolution}",
        "Response due {response}; resolution due {resolution}",
    ),
    "deployment.ending": (
        "{registration}: {location} — loopt af op {last} ({reason})",
        "{registration}: {location} — ends {last} ({reason})",
    ),
    "deployment.no_camera": (
        "{registration}: {location} — begint vandaag; geen gekoppelde camera is online",
        "{registration}: {location} — starts today; no linked camera is online",
    ),
}

CHECKS: dict[CheckKind, tuple[str, str]] = {
    CheckKind.REACHABILITY: ("bereikbaarheid", "reachability"),
    CheckKind.ONVIF_HEALTH: ("ONVIF-status", "ONVIF health"),
    CheckKind.ONVIF_IDENTITY: ("ONVIF-identiteit", "ONVIF identity"),
    CheckKind.SNMP: ("SNMP", "SNMP"),
    CheckKind.STREAM: ("videostroom", "video stream"),
    CheckKind.IMAGE: ("beeld", "picture"),
}


def say(key: str, language: Language, **values: Any) -> str:
    """The text for ``key`` in the language, with the values filled in."""
    return in_language(TEXT[key], language).format(**values)


def title_of(event: AlertEvent, language: Language) -> str:
    """What happened, as a message's title says it."""
    return in_language(TITLES[event], language)


def check_label(kind: CheckKind, language: Language) -> str:
    """The name of a check in words."""
    return in_language(CHECKS[kind], language)
