"""The pages' words for codes (statuses, kinds, levels) and one Jinja2 environment per language.

The templates' own texts are gettext calls (`_("Cameras")`, Jinja2's i18n extension); a code the data holds is
shown with `label(family, code)`, whose English msgids are marked here for the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from fleet.faults.wording import KIND_LABELS, SEVERITY_LABELS
from fleet.inventory.wording import RISK_LEVELS
from fleet.language import N_, Language, number, percent, translations

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

LABELS: dict[str, dict[str, str]] = {
    "status": {
        "up": N_("up"),
        "degraded": N_("degraded"),
        "down": N_("down"),
        "maintenance": N_("maintenance"),
        "unknown": N_("unknown"),
    },
    "camera_kind": {"fixed": N_("fixed"), "flexible": N_("flexible")},
    "device_type": {
        "switch": N_("switch"),
        "router": N_("router"),
        "media_converter": N_("media converter"),
        "poe_injector": N_("PoE injector"),
        "ups": N_("UPS"),
    },
    "recorded_by": {"edge": N_("the camera itself (edge)"), "none": N_("not recorded")},
    "recording_state": {
        "recording": N_("recording"),
        "recording_stopped": N_("Recording stopped"),
        "recording_gap": N_("Gap in the recorded footage"),
        "retention_short": N_("Footage not kept long enough"),
        "retention_exceeded": N_("Footage kept longer than allowed"),
        "not_recorded": N_("not recorded"),
        "unchecked": N_("not checked yet"),
    },
    "risk": RISK_LEVELS,
    "severity": {severity.value: words for severity, words in SEVERITY_LABELS.items()},
    "fault_kind": {kind.value: words for kind, words in KIND_LABELS.items()},
    "deployment": {"valid": N_("decision valid"), "expired": N_("decision expired"), "missing": N_("no decision")},
    "token_state": {"active": N_("active"), "expired": N_("expired"), "revoked": N_("revoked")},
    "sla_target": {"response": N_("response"), "resolution": N_("resolution")},
    "due": {"response": N_("Response due"), "resolution": N_("Resolution due")},
    "ticket_status": {
        "new": N_("new"),
        "assigned": N_("assigned"),
        "in_progress": N_("in progress"),
        "waiting_parts": N_("waiting for parts"),
        "waiting_vendor": N_("waiting for vendor"),
        "resolved": N_("resolved"),
        "closed": N_("closed"),
    },
    "ticket_event": {
        "created": N_("created"),
        "status": N_("status"),
        "assigned": N_("assigned"),
        "priority": N_("priority"),
        "comment": N_("comment"),
        "part": N_("part"),
        "cost": N_("cost"),
        "reopened": N_("reopened"),
        "linked": N_("fault linked"),
        "sla_breached": N_("SLA missed"),
        "explains": N_("also explains the faults of"),
    },
}


def labeller(language: Language) -> Callable[[str, str], str]:
    """`label(family, code)` for the templates; an unknown family or code is a programming error, so it raises."""
    gettext = translations(language).gettext

    def label(family: str, code: str) -> str:
        return gettext(LABELS[family][code])

    return label


def templates(language: Language) -> Jinja2Templates:
    """The pages' templates with the language's catalogue and its way of writing numbers."""
    environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, extensions=["jinja2.ext.i18n"])
    environment.install_gettext_translations(translations(language))  # type: ignore[attr-defined]
    environment.globals.update(
        label=labeller(language),
        number=partial(number, language=language),
        percent=partial(percent, language=language),
    )
    return Jinja2Templates(env=environment)
