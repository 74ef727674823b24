"""Who may do what: one rule per action, for the JSON API (bearer tokens) and the pages (session cookies) alike."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fleet.users.models import Role


class Action(StrEnum):
    """What a person or machine asks to do."""

    READ = "read"  # the fleet, faults, tickets, maintenance, decisions, risk, reports and the inventory
    READ_ALERTS = "read_alerts"  # notification channels (never their URLs) and the alert outbox
    ACKNOWLEDGE_FAULTS = "acknowledge_faults"
    WORK_ON_TICKETS = "work_on_tickets"  # open, assign, move, comment, parts and costs
    EDIT_CAMERAS = "edit_cameras"  # the registry, and asking for a new reference view
    PLAN_MAINTENANCE = "plan_maintenance"
    REGISTER_DECISIONS = "register_decisions"
    HOLD_RECORDINGS = "hold_recordings"  # place and release legal holds on footage
    REGISTER_INCIDENTS = "register_incidents"  # incidents seen on camera, and the list of their categories
    ADMINISTER = "administer"  # users, API tokens and notification channels
    READ_AUDIT_LOG = "read_audit_log"


@dataclass(frozen=True, slots=True)
class Rule:
    """The roles that may do an action, and how a refusal says so."""

    roles: frozenset[Role]
    refusal: str


def _at_least(minimum: Role) -> Rule:
    return Rule(frozenset(r for r in Role if r.at_least(minimum)), f"needs the role {minimum.value} or higher")


def _only(*roles: Role) -> Rule:
    return Rule(frozenset(roles), "needs the role " + " or ".join(r.value for r in roles))


RULES: dict[Action, Rule] = {
    Action.READ: _at_least(Role.VIEWER),
    Action.READ_ALERTS: _at_least(Role.TECHNICIAN),
    Action.ACKNOWLEDGE_FAULTS: _at_least(Role.TECHNICIAN),
    Action.WORK_ON_TICKETS: _at_least(Role.TECHNICIAN),
    Action.EDIT_CAMERAS: _at_least(Role.COORDINATOR),
    Action.PLAN_MAINTENANCE: _at_least(Role.COORDINATOR),
    Action.REGISTER_DECISIONS: _at_least(Role.COORDINATOR),
    Action.HOLD_RECORDINGS: _at_least(Role.COORDINATOR),
    # The observers keep their register; coordinators and admins may correct it. Technicians have no part in it.
    Action.REGISTER_INCIDENTS: _only(Role.OBSERVER, Role.COORDINATOR, Role.ADMIN),
    Action.ADMINISTER: _at_least(Role.ADMIN),
    # The audit log is read by those who check the others, not by rank: an auditor yes, a coordinator no.
    Action.READ_AUDIT_LOG: _only(Role.AUDITOR, Role.ADMIN),
}


def may(role: Role, action: Action) -> bool:
    """Whether someone with this role may do the action."""
    return role in RULES[action].roles
