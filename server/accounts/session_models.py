"""Server-side sign-in records: sessions that can end, and second factors (TOTP)."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.common.types import UTCDateTime, utcnow, uuid_pk
from server.extensions import db

# What a session is for: a desk sign-in, a floor sign-in (both in the cookie), or a tablet's
# sync-only device credential (server/accounts/credentials.py: never in a cookie).
KINDS = ("desk", "device_sync", "device_credential")


class UserSession(db.Model):
    """One sign-in. Its id is what the signed cookie carries; every request reads this row.

    A session ends (``ended_at``) on logout, on the revocation of the device it synced
    with, on idle (``idle_seconds`` since ``last_seen_at``) or at ``expires_at``; a
    password change or deactivation bumps the user's session epoch, which this record
    must match.
    """

    __tablename__ = "user_session"
    __table_args__ = (
        Index("ix_user_session_device", "device_id"),
        Index("ix_user_session_token", "token_hash"),
        Index("ix_user_session_previous_token", "previous_hash"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="desk")
    # Where the session stands: "second_factor" (waiting for a code), "enrol" (signed in
    # but owing an enrolment) or "active" (signed in).
    stage: Mapped[str] = mapped_column(String(20), default="active")
    user_epoch: Mapped[int] = mapped_column(Integer, default=0)
    device_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("device.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    idle_seconds: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_codes: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # A device credential only: the SHA-256 of its current token, of the token it replaced
    # (good until ``previous_until``, or until the current one is first used), and when the
    # current one was issued.
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    previous_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SecondFactor(db.Model):
    """A person's TOTP secret; unconfirmed until they have typed a first code from it."""

    __tablename__ = "second_factor"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The 30-second step of the last code accepted: the same code never works twice.
    last_step: Mapped[int] = mapped_column(Integer, default=0)


class RecoveryCode(db.Model):
    """A single-use recovery code, kept only as its SHA-256 (the code has 80 random bits)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
