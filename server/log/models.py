"""The leadership action log: entries and the records that hang off them."""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.common.types import Synced, UTCDateTime, utcnow
from server.extensions import db

ENTRY_FIELDS = (
    "concern",
    "source",
    "risk",
    "decision",
    "owner_id",
    "due_date",
    "evidence_needed",
    "interim_controls",
    "statement_ids",
)
"""The fields a person writes on an entry: set on create, changed by an update (the
service is set on create only)."""

entry_statement = Table(
    "entry_statement",
    db.metadata,
    Column("entry_id", Uuid, ForeignKey("log_entry.id", ondelete="CASCADE"), primary_key=True),
    Column("statement_id", String(80), ForeignKey("quality_statement.id"), primary_key=True),
)


class LogEntry(Synced, db.Model):
    """One leadership decision, from concern to closure on evidence."""

    __tablename__ = "log_entry"
    __table_args__ = (
        # (service, status, due date): the oversight's overdue and open counts seek each
        # status's range of due dates instead of reading every entry of a service. The
        # columns after it let the counts and the signals over entries not yet closed
        # (no escalation decision, carried forward) answer from the index alone.
        Index(
            "ix_entry_service_status_due",
            "service_id",
            "status",
            "due_date",
            "deleted_at",
            "escalation_decision",
            "risk",
            "created_at",
            "id",
        ),
        Index("ix_entry_owner_status", "owner_id", "status"),
        Index("ix_entry_service_due", "service_id", "due_date"),
        # Improvement measures read a window of original due dates, or of creation.
        Index("ix_entry_service_original_due", "service_id", "original_due_date"),
        Index("ix_entry_service_created", "service_id", "created_at"),
        # Weak closure evidence reads the closures of its window from the index alone
        # (server.log.signal_scope.weak_closures).
        Index(
            "ix_entry_service_status_closed",
            "service_id",
            "status",
            "closed_at",
            "deleted_at",
            "opened_at",
            "created_at",
            "id",
        ),
        # The governance report's escalation decisions of a month (server.reports.minutes).
        Index("ix_entry_service_escalation", "service_id", "escalation_at"),
        # The log search has its own index (server/log/search.py, migration 0005): FTS5 on
        # SQLite, pg_trgm on PostgreSQL; neither is a plain index this metadata can hold.
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("service.id"))
    concern: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    original_due_date: Mapped[date | None] = mapped_column(Date)
    evidence_needed: Mapped[str] = mapped_column(Text, default="")
    risk: Mapped[str] = mapped_column(String(10), default="medium")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    interim_controls: Mapped[str] = mapped_column(Text, default="")
    vague_override_reason: Mapped[str | None] = mapped_column(Text)
    vague_override_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_decision: Mapped[str | None] = mapped_column(String(20))
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    escalation_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Safeguarding follow-through, recorded with the escalation decision of an entry that
    # came from a safeguarding-flagged finding: the local authority's safeguarding referral
    # and the CQC notification, each made on a day or not needed for a stated reason.
    referral_made_on: Mapped[date | None] = mapped_column(Date)
    referral_not_needed: Mapped[str | None] = mapped_column(Text)
    cqc_notified_on: Mapped[date | None] = mapped_column(Date)
    cqc_not_needed: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The Europe/London day the owner first marked it done (for "within timescale").
    completed_on: Mapped[date | None] = mapped_column(Date)
    # Who moved it along, each step separately (docs/reports.md): the owner marked it done,
    # a manager checked the evidence (closing a routine entry, or sending a high-risk one to
    # sign-off), a nominated individual or provider quality lead signed it off. closed_by
    # is whoever's step made it closed: the checker, or for a high-risk entry the signer.
    done_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    signed_off_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    statements = relationship("QualityStatement", secondary=entry_statement, lazy="selectin")
    evidence: Mapped[list["EvidenceRef"]] = relationship(
        back_populates="entry", order_by="EvidenceRef.created_at", lazy="selectin"
    )
    carry_forwards: Mapped[list["CarryForward"]] = relationship(
        order_by="CarryForward.id", lazy="selectin"
    )


class EvidenceRef(Synced, db.Model):
    """Where the proof that an action worked lives: never the proof itself."""

    __tablename__ = "evidence_ref"
    # Covers the weak-closure warning, which reads every closed entry's evidence.
    __table_args__ = (
        Index("ix_evidence_ref_entry_live", "entry_id", "deleted_at", "type", "evidence_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("log_entry.id"), index=True)
    type: Mapped[str] = mapped_column(String(30))
    location: Mapped[str] = mapped_column(String(300))
    evidence_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    checked_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    added_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[LogEntry] = relationship(back_populates="evidence")


class Note(Synced, db.Model):
    """An append-only note on an entry."""

    __tablename__ = "note"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("log_entry.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarryForward(db.Model):
    """A change of due date, with who moved it and why (DESIGN.md rule 4e)."""

    __tablename__ = "carry_forward"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("log_entry.id"), index=True)
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
