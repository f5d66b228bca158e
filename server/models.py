"""Import every model so that the metadata (and Alembic) sees all tables."""

from server.accounts.models import LoginFailure, Membership, User
from server.accounts.session_models import RecoveryCode, SecondFactor, UserSession
from server.audit.models import AuditEvent
from server.common.models import ChangeCounter
from server.findings.models import Finding, Walkaround
from server.framework.models import Framework, QualityStatement, StatementMapping
from server.jobs.models import Job, JobFile, JobSchedule, JobWorker
from server.log.models import CarryForward, EvidenceRef, LogEntry, Note, entry_statement
from server.measures.models import ImprovementMeasure
from server.providers.models import Provider, Service
from server.reviews.models import Review, ReviewItem
from server.syncing.models import Device, Receipt, SyncConflict

__all__ = [
    "AuditEvent",
    "Device",
    "Receipt",
    "SyncConflict",
    "CarryForward",
    "ChangeCounter",
    "EvidenceRef",
    "Finding",
    "Framework",
    "ImprovementMeasure",
    "Job",
    "JobFile",
    "JobSchedule",
    "JobWorker",
    "LogEntry",
    "LoginFailure",
    "Membership",
    "Note",
    "Provider",
    "QualityStatement",
    "RecoveryCode",
    "Review",
    "ReviewItem",
    "SecondFactor",
    "Service",
    "StatementMapping",
    "User",
    "UserSession",
    "Walkaround",
    "entry_statement",
]
