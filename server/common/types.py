"""Column types and mixins shared by the records."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, TypeDecorator, Uuid
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_frozen_now: ContextVar[datetime | None] = ContextVar("careloop_now", default=None)


def utcnow() -> datetime:
    """Return the server clock (UTC), or the moment set by clock_at()."""
    return _frozen_now.get() or datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Run the block as if the server clock read ``moment``: demo history and tests use it."""
    token = _frozen_now.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _frozen_now.reset(token)


def stored_uuid_text(value: str) -> str | None:
    """Return a UUID stored as 32 hex digits (SQLite) in the text str(uuid.UUID) gives.

    None for anything else, which the caller converts the slow way. Building the text
    directly skips a uuid.UUID per value on the pull and the early warnings' hot paths.
    """
    if type(value) is str and len(value) == 32:
        v = value.lower()
        return f"{v[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}"
    return None


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class Synced:
    """Columns of a record that devices hold: an optimistic version and a change sequence.

    ``change_seq`` is assigned by the server at flush (see server.common.changes) and only
    grows; pulls read changes after a cursor in this order. ``deleted_at`` makes a
    tombstone instead of removing the row.
    """

    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @declared_attr.directive
    def __mapper_args__(cls):
        # Every UPDATE checks and bumps the version, so two writers cannot both win.
        return {"version_id_col": cls.__table__.c.version}
