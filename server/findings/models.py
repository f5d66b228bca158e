"""What floor staff record on tablets: walkarounds and the findings made during them."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.common.types import Synced, UTCDateTime, utcnow
from server.extensions import db


class Walkaround(Synced, db.Model):
    """One floor walk or visibility round, and the areas it covered."""

    __tablename__ = "walkaround"
    __table_args__ = (Index("ix_walkaround_service_started", "service_id", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("service.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="walkaround")
    conducted_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    areas: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


RECEIVED_COVER = (
    "received_at",
    "service_id",
    "deleted_at",
    "kind",
    "sentiment",
    "area",
    "source",
    "respondent_type",
    "question_id",
    "walkaround_id",
    "follow_up_needed",
    "log_entry_id",
    "id",
)


class Finding(Synced, db.Model):
    """Something noticed on the floor; triage turns it into, or links it to, a log entry."""

    __tablename__ = "finding"
    __table_args__ = (
        # An entry's findings, with what the high-risk-without-escalation warning tests of
        # them, so it reads no finding row (the index replaces the one-column index).
        Index(
            "ix_finding_log_entry_id",
            "log_entry_id",
            "risk",
            "deleted_at",
            "received_at",
            "service_id",
        ),
        # Risk and time after the triage state: high-risk findings still in triage past
        # the escalation time are a seek, not a read of the service's whole history.
        Index(
            "ix_finding_service_triage_risk", "service_id", "triage_state", "risk", "received_at"
        ),
        # Both covering (migration 0006): the early warnings read the window's findings
        # from the index alone. The counts scan the time window of ix_finding_received_at
        # (received_at grows, so inserts append to it); repeat findings name each group's
        # newest records by a short seek of ix_finding_service_area_source.
        Index(
            "ix_finding_service_area_source",
            "service_id",
            "area",
            "source",
            "received_at",
            "deleted_at",
            "kind",
            "sentiment",
            "id",
        ),
        Index("ix_finding_received_at", *RECEIVED_COVER),
        Index("ix_finding_service_received", "service_id", "received_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("service.id"))
    walkaround_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("walkaround.id"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    area: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str] = mapped_column(Text, default="")
    risk: Mapped[str] = mapped_column(String(10), default="low")
    follow_up_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    people_involved: Mapped[str] = mapped_column(String(200), default="")
    respondent_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    question_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    question: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    sentiment: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # "This may be a safeguarding concern": such a finding is high risk.
    safeguarding_concern: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    triage_state: Mapped[str] = mapped_column(String(12), default="new")
    dismissed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    log_entry_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("log_entry.id"), nullable=True
    )
    triaged_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
