"""Reviews of a service's log: the RM's weekly, the provider's monthly, or ad hoc."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.common.types import UTCDateTime, utcnow, uuid_pk
from server.extensions import db


class Review(db.Model):
    __tablename__ = "review"

    id: Mapped[uuid.UUID] = uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("service.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reviewer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")

    items: Mapped[list["ReviewItem"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", lazy="selectin"
    )
    reviewer = relationship("User", lazy="joined", viewonly=True)


class ReviewItem(db.Model):
    """The review's outcome for one entry."""

    __tablename__ = "review_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("review.id"), index=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("log_entry.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="items")
    entry = relationship("LogEntry", lazy="selectin", viewonly=True)
