"""The audit trail: every change of every record, never edited, never deleted."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.common.types import UTCDateTime, utcnow
from server.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    channel: Mapped[str] = mapped_column(String(10))  # desk, sync, system or seed
    device_id: Mapped[str | None] = mapped_column(String(64))
    mutation_id: Mapped[str | None] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    service_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
