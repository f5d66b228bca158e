"""What the server keeps for offline sync: device bindings, receipts and conflicts."""

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.common.types import Synced, UTCDateTime, utcnow, uuid_pk
from server.extensions import db


class Device(db.Model):
    """A client id bound to one (installation, user) pair: a shared tablet has several."""

    __tablename__ = "device"
    __table_args__ = (UniqueConstraint("installation_id", "user_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()  # the client id the app sends with every sync call
    installation_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_mutation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_mutation_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    # What the tablet said, at its last pull, it still holds unsent for this person: how
    # many changes, and when the oldest of them was made (None: nothing waiting).
    unsent_count: Mapped[int] = mapped_column(Integer, default=0)
    unsent_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Receipt(db.Model):
    """The stored outcome of one mutation: a retry gets it back and nothing is applied twice."""

    __tablename__ = "sync_receipt"
    __table_args__ = (UniqueConstraint("device_id", "mutation_id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    device_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("device.id"))
    mutation_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncConflict(Synced, db.Model):
    """Two values for one field: the first committed stays, the other waits here for a manager."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_conflict_service_status", "service_id", "status"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("service.id"))
    kind: Mapped[str] = mapped_column(String(20), default="field")
    mutation_id: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(60))
    base_value: Mapped[dict | list | str | int | None] = mapped_column(JSON, nullable=True)
    kept_value: Mapped[dict | list | str | int | None] = mapped_column(JSON, nullable=True)
    kept_author: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    kept_device: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    other_value: Mapped[dict | list | str | int | None] = mapped_column(JSON, nullable=True)
    other_author: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    other_device: Mapped[str | None] = mapped_column(String(64), nullable=True)
    other_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open")
    resolution: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
