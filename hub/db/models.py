"""Imports every model so that `Base.metadata` is complete (Alembic and model tests)."""

from hub.agencies.models import Agency, SourceFeed
from hub.alerts.models import Alert
from hub.audit.models import AuditEvent, AuditHead, PendingAccess
from hub.auth.models import Client, RateLimitState
from hub.checks.models import Check
from hub.clues.models import Clue
from hub.commitments.models import Commitment
from hub.db.base import Base
from hub.evaluation.models import EvaluationSnapshot, ManualValue
from hub.evidence.models import Evidence
from hub.feed.models import FeedHead
from hub.ingest.models import IngestCursor, IngestRun, QuarantinedRow
from hub.lifecycle.models import LifecycleRun
from hub.objections.models import Objection
from hub.records.models import CreditRecord, RecordEvent
from hub.repairs.models import RepairApplication
from hub.screening.models import ScreeningJob
from hub.subjects.models import Organization, Person
from hub.users.models import ConsoleSession, User

__all__ = [
    "Agency",
    "Alert",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Check",
    "Client",
    "Clue",
    "Commitment",
    "ConsoleSession",
    "CreditRecord",
    "EvaluationSnapshot",
    "Evidence",
    "FeedHead",
    "IngestCursor",
    "IngestRun",
    "LifecycleRun",
    "ManualValue",
    "Objection",
    "Organization",
    "PendingAccess",
    "Person",
    "QuarantinedRow",
    "RateLimitState",
    "RecordEvent",
    "RepairApplication",
    "ScreeningJob",
    "SourceFeed",
    "User",
]
