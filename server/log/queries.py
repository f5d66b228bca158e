"""Reads of one entry's notes, evidence and history, newest last, as selects to page."""

from server.audit.models import AuditEvent
from server.extensions import db
from server.log.models import EvidenceRef, LogEntry, Note


def notes_of(entry: LogEntry):
    """Select an entry's notes, oldest first."""
    return db.select(Note).where(Note.entry_id == entry.id).order_by(Note.created_at, Note.id)


def evidence_of(entry: LogEntry):
    """Select an entry's evidence references, oldest first."""
    return (
        db.select(EvidenceRef)
        .where(EvidenceRef.entry_id == entry.id)
        .order_by(EvidenceRef.created_at, EvidenceRef.id)
    )


def history_of(entry: LogEntry):
    """Select every audit event of an entry, oldest first."""
    return (
        db.select(AuditEvent)
        .where(AuditEvent.entity_type == "log_entry", AuditEvent.entity_id == str(entry.id))
        .order_by(AuditEvent.id)
    )
