"""People, their roles per service, and failed-login counters shared by all workers."""

import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.common.types import UTCDateTime, utcnow, uuid_pk
from server.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    # An email is one account's within a provider; another provider may hold the same
    # address for its own person (docs/permissions.md). Sign-in looks the email up alone.
    __table_args__ = (
        UniqueConstraint("provider_id", "email", name="uq_user_account_provider_email"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    provider_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("provider.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or deactivation so that old sessions stop working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # The person's own choice of a daily email summary (server/notify); off until they opt in.
    digest_opt_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The sign-in record this request runs under (server/accounts/sessions.py); not a column.
    login_session = None

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    def get_id(self) -> str:
        """The id the signed cookie carries: the session record's, never the user's own."""
        return str(self.login_session.id)


class Membership(db.Model):
    """A role a user holds: in one service, or across the provider when service_id is null."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "service_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"), index=True)
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("service.id"), nullable=True, index=True
    )
    role: Mapped[str] = mapped_column(String(40))

    user: Mapped[User] = relationship(back_populates="memberships")


class LoginFailure(db.Model):
    """Failed logins per account and per client address, in the database so every worker
    sees the same count. ``key`` is the email in lower case, or "address <ip>" (see
    server.accounts.services.address_key; an email has no space)."""

    __tablename__ = "login_failure"

    key: Mapped[str] = mapped_column(String(254), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
