"""What alerts say, in Dutch and English (`alerts.language`): one table, looked up by key with the values filled in.

Values a device or a person wrote (a fault register summary, a ticket title, a decision's location) go in as they
are; the words around them, and the names of checks, follow the language.
"""

from __future__ import annotations

from typing import Any

from fleet.health.models import CheckKind
from fleet.language import LANGUAGES, Language

# key: (Dutch, English)
TEXT: dict[str, tuple[str, str]] = {
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
    return TEXT[key][LANGUAGES.index(language)].format(**values)


def check_label(kind: CheckKind, language: Language) -> str:
    """The name of a check in words."""
    return CHECKS[kind][LANGUAGES.index(language)]
