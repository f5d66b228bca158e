"""Providers and their services, with the settings each service is run by."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.common.types import UTCDateTime, utcnow, uuid_pk
from server.extensions import db

# DESIGN.md rule 7: thresholds are settings. These are the defaults a provider starts with;
# docs/thresholds.md explains each one.
DEFAULT_THRESHOLDS = {
    "escalation_hours": {"high": 24, "medium": 72, "low": 168},
    "repeat_finding_count": 3,
    "repeat_finding_window_days": 28,
    "chasing_count": 2,
    "chasing_window_days": 28,
    "rm_review_interval_days": 7,
    "provider_review_interval_days": 31,
    "carry_forward_limit": 2,
    "walkaround_follow_up_window_days": 14,
}

# How people sign in and how long a session lasts: docs/thresholds.md, "Sign-in settings".
DEFAULT_SETTINGS = {
    "desk_idle_minutes": 30,
    "desk_lifetime_hours": 12,
    "device_sync_idle_minutes": 120,
    "device_sync_lifetime_hours": 14,
    "device_credential_idle_days": 14,
    "second_factor_required": False,
    "tablet_lock_minutes": 5,
}


class Provider(db.Model):
    __tablename__ = "provider"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    # Sign-in settings that differ from DEFAULT_SETTINGS.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # The CQC framework version in force for this provider (None: the default,
    # server.framework.services.DEFAULT_FRAMEWORK); server/framework/in_force.py.
    framework_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    services: Mapped[list["Service"]] = relationship(back_populates="provider")

    def threshold(self, name: str):
        """Return the provider's setting, or the default when it has not set one."""
        value = (self.thresholds or {}).get(name)
        return DEFAULT_THRESHOLDS[name] if value is None else value

    def threshold_table(self) -> dict:
        return {name: self.threshold(name) for name in DEFAULT_THRESHOLDS}

    def setting(self, name: str):
        """Return the provider's sign-in setting, or the default when it has not set one."""
        value = (self.settings or {}).get(name)
        return DEFAULT_SETTINGS[name] if value is None else value

    def settings_table(self) -> dict:
        return {name: self.setting(name) for name in DEFAULT_SETTINGS}


class Service(db.Model):
    """A care home or domiciliary branch, with the lists its floor staff pick from."""

    __tablename__ = "service"

    id: Mapped[uuid.UUID] = uuid_pk()
    provider_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="care_home")
    areas: Mapped[list] = mapped_column(JSON, default=list)
    routines: Mapped[list] = mapped_column(JSON, default=list)
    # [{"id": "visibility", "name": "...", "questions": [{"id": "q1", "text": "..."}]}]
    question_sets: Mapped[list] = mapped_column(JSON, default=list)
    escalation_criteria: Mapped[str] = mapped_column(Text, default="")
    # The provider's own steps for a possible safeguarding concern, shown on the tablet.
    safeguarding_steps: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship(back_populates="services")

    __mapper_args__ = {"version_id_col": version}

    def questions(self) -> dict[str, str]:
        """Map every question id of every set to its text."""
        return {
            q["id"]: q["text"] for qs in (self.question_sets or []) for q in qs.get("questions", [])
        }
