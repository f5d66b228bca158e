"""Engine set-up: SQLite pragmas, immediate write transactions, a file only its owner reads,
and telling a lock failure."""

import logging
import os
import sqlite3
from pathlib import Path

from sqlalchemy import event, func, text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
PRIVATE = 0o600


def configure_engine(engine: Engine) -> None:
    """Turn on foreign keys, WAL and a busy timeout for SQLite; nothing for PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return
    private_database_file(engine.url.database)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin (see _begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A write transaction takes the write lock at BEGIN, so it waits (busy timeout)
        # instead of failing when it later upgrades from a stale read snapshot.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def private_database_file(database: str | None) -> None:
    """Make the SQLite file, and its WAL and shared-memory files, readable by their owner
    only: it holds everything Careloop knows about staff and the people they support.

    A new file is created 0600 before SQLite opens it; SQLite gives the -wal and -shm files
    it makes later the database file's own mode. Files an older release left 0644 are
    tightened at start-up.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE))
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if name.exists() and name.stat().st_mode & 0o077:
                name.chmod(PRIVATE)
    except OSError as error:
        # Not ours to change (another user's file, a read-only folder): SQLite says the rest.
        log.warning("Could not make %s private: %s", path, error)


# PostgreSQL's SQLSTATEs of a transaction given up for a lock: deadlock_detected,
# serialization_failure, lock_not_available (lock_timeout). Nothing of it stands.
_LOCK_STATES = frozenset({"40P01", "40001", "55P03"})


def lost_to_a_lock(error: BaseException | None) -> bool:
    """Tell whether ``error`` (or an error it was raised from) is the database giving up
    the transaction over a lock: a deadlock or serialisation failure on PostgreSQL,
    "database is locked" on SQLite. The whole transaction must be rolled back; run again
    from the start, it may well pass.
    """
    seen = 0
    while error is not None and seen < 10:
        cause = getattr(error, "orig", None) or error
        if getattr(cause, "sqlstate", None) in _LOCK_STATES:
            return True
        if isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause):
            return True
        error, seen = error.__cause__, seen + 1
    return False


def unindexed(column):
    """The same value, in a form SQLite's planner will not look up through an index."""
    # SQLite keeps no statistics here, so it seeks any indexed "= x" or "IS NULL" test,
    # however unselective ("no walkaround": most findings); PostgreSQL plans by statistics
    # and sees through it. coalesce(c, c) is c, on every database.
    return func.coalesce(column, column)


def reachability() -> tuple[dict, int]:
    """Whether the database answers, and its Alembic revision: (body, HTTP status)."""
    from server.extensions import db

    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return {"status": "ok", "database": "reachable", "schema_revision": revision}, 200
    except Exception as exc:  # noqa: BLE001 - health reports any database failure
        db.session.rollback()
        return {"status": "error", "database": "unreachable", "detail": type(exc).__name__}, 503
