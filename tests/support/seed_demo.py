"""What the demo-seed tests share: the demo built once through the CLI on a fixed day, and
a digest of every seeded row (two builds, or a build before and after a refactor, compare
equal)."""

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select, text

from server import create_app
from server.accounts.models import Membership
from server.common.dates import LONDON
from server.extensions import db
from server.log.models import LogEntry

DAY = date(2026, 3, 4)  # the history ends at 18:00 London time on this day
END = datetime.combine(DAY, time(18), LONDON).astimezone(UTC)
KEEP = {"alembic_version", "framework", "quality_statement", "statement_mapping"}


def _empty(app) -> None:
    """Empty every table the seed writes (as the shared app fixture does after a test)."""
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEEP | {"change_counter"}:
                db.session.execute(table.delete())
        db.session.execute(text("UPDATE change_counter SET value = 0"))
        db.session.commit()


# Left out of the digest: salted password hashes (random by design) and change sequences,
# whose order within one flush follows SQLAlchemy's set of dirty objects, not the seed.
NOT_DIGESTED = {"password_hash", "change_seq"}


def digest() -> str:
    """Hash every seeded table's rows, in a database-independent form. Integer surrogate
    keys (audit events, memberships...) are left out too: nothing refers to them."""
    sha = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in KEEP | {"change_counter"}:
            continue
        columns = [
            c
            for c in table.columns
            if c.name not in NOT_DIGESTED and not (c.primary_key and c.type.python_type is int)
        ]
        rows = sorted(
            json.dumps([_plain(v) for v in row], sort_keys=True, default=str)
            for row in db.session.execute(select(*columns))
        )
        sha.update(f"{table.name}:{len(rows)}\n".encode())
        for row in rows:
            sha.update(row.encode())
    return sha.hexdigest()


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, uuid.UUID | date):
        return str(value)
    return value


def entry_about(words: str) -> LogEntry:
    return db.session.scalars(select(LogEntry).where(LogEntry.concern.like(f"{words}%"))).one()


def role_of(user_id) -> str:
    return db.session.scalars(select(Membership.role).where(Membership.user_id == user_id)).first()


@pytest.fixture(scope="class")
def seeded(_migrated, tmp_path_factory):
    """The demo built once through the CLI, ending on DAY, shared by the class's tests."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("i")),
        }
    )
    result = app.test_cli_runner().invoke(args=["seed", "--today", DAY.isoformat()])
    ctx = app.app_context()
    ctx.push()
    yield app, result
    db.session.remove()
    ctx.pop()
    _empty(app)
    with app.app_context():
        db.engine.dispose()
