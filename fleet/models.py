"""Every table of camfleet, imported in one place so Alembic and create_all see the whole schema."""

from fleet.advisories.models import KevImport, KevVulnerability
from fleet.alerts.models import Alert, NotificationChannel
from fleet.audit.models import AuditEntry
from fleet.cameras.models import Camera, CameraCredentials, NetworkChange
from fleet.db import Base
from fleet.decisions.models import Decision, DecisionCamera
from fleet.discovery.models import MacSighting, ProbeMatch, TableRead
from fleet.events.models import CameraEvent, EventCount, EventSubscription
from fleet.faults.models import ConditionState, Fault
from fleet.health.models import CheckResult, CheckState, EndpointAuth, StatusInterval
from fleet.hygiene.models import CameraHygiene
from fleet.images.models import ImageBaseline
from fleet.incidents.models import Incident, IncidentCategory, IncidentTally
from fleet.maintenance.models import MaintenanceWindow
from fleet.network.models import NetworkPort, UpsBattery
from fleet.passwords.models import PasswordRotation
from fleet.recording.models import FootageSpan, LegalHold
from fleet.tickets.models import RepairTicket, TicketEvent, TicketFault
from fleet.uptime.models import StatusDaily, StatusMonthly, StatusRollup
from fleet.users.models import ApiToken, User

__all__ = [
    "Alert",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Decision",
    "DecisionCamera",
    "Camera",
    "CameraEvent",
    "CameraCredentials",
    "CheckResult",
    "ConditionState",
    "EndpointAuth",
    "EventCount",
    "EventSubscription",
    "Fault",
    "FootageSpan",
    "ImageBaseline",
    "CameraHygiene",
    "Incident",
    "NetworkChange",
    "IncidentCategory",
    "IncidentTally",
    "KevImport",
    "KevVulnerability",
    "MacSighting",
    "LegalHold",
    "MaintenanceWindow",
    "NetworkPort",
    "UpsBattery",
    "NotificationChannel",
    "PasswordRotation",
    "ProbeMatch",
    "RepairTicket",
    "CheckState",
    "StatusDaily",
    "StatusInterval",
    "StatusMonthly",
    "StatusRollup",
    "TableRead",
    "TicketEvent",
    "TicketFault",
    "User",
]
